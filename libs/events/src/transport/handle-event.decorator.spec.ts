import 'reflect-metadata';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import { sampleOrderConfirmedV1 as orderConfirmedV1, sampleOrderCreatedV2 as orderCreatedV2 } from '../testing/sample-contracts.js';
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
