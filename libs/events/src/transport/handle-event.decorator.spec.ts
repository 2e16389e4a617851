import 'reflect-metadata';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import { orderConfirmedV1 } from '../contracts/order/order-confirmed.v1.js';
import { orderCreatedV2 } from '../contracts/order/order-created.v2.js';
import { HandleEvent } from './handle-event.decorator.js';

describe('HandleEvent', () => {
  it('binds one method to every contract given, by versioned type', () => {
    class Handlers {
      @HandleEvent(orderCreatedV2, orderConfirmedV1, 'order.cancelled.v1')
      onOrder(): void {}
    }
    expect(Reflect.getMetadata(PATTERN_METADATA, Handlers.prototype.onOrder)).toEqual(['order.created.v2', 'order.confirmed.v1', 'order.cancelled.v1']);
  });

  it('refuses no contract at all and a malformed type', () => {
    expect(() => HandleEvent()).toThrow(TypeError);
    expect(() => HandleEvent('order-created')).toThrow();
  });
});
