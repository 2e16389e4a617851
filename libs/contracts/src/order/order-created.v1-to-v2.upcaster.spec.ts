import { describe, expect, it } from 'vitest';
import { createEnvelope, DeadLetterPublisher, encodeEnvelope, MessageProcessor, parseEnvelope } from '@platform/events';
import type { EventEnvelope } from '@platform/events';
import { FakeMessage, InMemoryPublisher } from '@platform/events/testing';
import { createPlatformRegistry } from '../catalogue.js';
import { platformExamplePayloads } from '../examples.js';
import { subjectFor } from '../subjects.js';
import { orderCreatedV1ToV2 } from './order-created.v1-to-v2.upcaster.js';
import { orderCreatedV1, type OrderCreatedV1 } from './order-created.v1.js';
import type { OrderCreatedV2 } from './order-created.v2.js';

const registry = createPlatformRegistry();
const v1: OrderCreatedV1 = platformExamplePayloads['order.created.v1'];

/** What a service still on v1 publishes. */
function v1ProducerEnvelope(data: OrderCreatedV1 = v1): EventEnvelope<OrderCreatedV1> {
  registry.validate(orderCreatedV1.type, data);
  return createEnvelope({ contract: orderCreatedV1, data, source: 'order', tenantId: 'demo', sequence: 1, correlationId: 'req-7' });
}

describe('order.created v1 → v2 upcaster', () => {
  it('moves customerId into customer and totalCents + currency into total', () => {
    const v2 = orderCreatedV1ToV2.upcast(v1, v1ProducerEnvelope());
    expect(v2).toEqual({
      orderId: v1.orderId,
      customer: { id: 'c-1' },
      items: v1.items,
      total: { amountCents: 4498, currency: 'EUR' },
      paymentToken: 'tok_visa',
      deadlineAt: v1.deadlineAt,
    });
    expect(registry.validate('order.created.v2', v2)).toBe(v2);
  });

  it('leaves optional fields absent rather than undefined, and copies nothing v1-only', () => {
    const { deadlineAt: _deadline, ...withoutDeadline } = v1;
    const v2 = orderCreatedV1ToV2.upcast(withoutDeadline, v1ProducerEnvelope(withoutDeadline));
    expect(Object.keys(v2).sort()).toEqual(['customer', 'items', 'orderId', 'paymentToken', 'total']);
    expect(Object.keys(v2.customer)).toEqual(['id']);
    expect(registry.validate('order.created.v2', v2)).toBe(v2);
  });

  it('does not share arrays with the v1 payload', () => {
    const v2 = orderCreatedV1ToV2.upcast(v1, v1ProducerEnvelope());
    expect(v2.items).not.toBe(v1.items);
    expect(v2.items[0]).not.toBe(v1.items[0]);
  });
});

describe('interop: a v1 producer and a v2 consumer', () => {
  it('decodes, validates and upcasts the v1 wire message for the v2 consumer', () => {
    const produced = v1ProducerEnvelope();
    const received = parseEnvelope(encodeEnvelope(produced));
    registry.validate(received.type, received.data);
    const consumed = registry.upcast(received, 'order.created.v2') as EventEnvelope<OrderCreatedV2>;
    registry.validate(consumed.type, consumed.data);
    expect(consumed).toMatchObject({
      type: 'order.created.v2',
      id: produced.id,
      subject: v1.orderId,
      sequence: 1,
      correlationid: 'req-7',
      data: { customer: { id: 'c-1' }, total: { amountCents: 4498, currency: 'EUR' } },
    });
  });

  it('hands the upcast event to an @EventPattern("order.created.v2") handler and acks it', async () => {
    const seen: EventEnvelope[] = [];
    const dlq = new InMemoryPublisher('DLQ');
    const processor = new MessageProcessor({
      consumer: 'loyalty-orders',
      registry,
      handlers: new Map([['order.created.v2', async (event: EventEnvelope) => void seen.push(event)]]),
      deadLetters: new DeadLetterPublisher(dlq),
    });
    const produced = v1ProducerEnvelope();
    const message = new FakeMessage(subjectFor(produced.type, 'demo'), encodeEnvelope(produced));

    expect(await processor.process(message)).toBe('ack');
    expect(message.settled).toEqual({ kind: 'ack' });
    expect(dlq.messages).toHaveLength(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'order.created.v2', id: produced.id, data: { customer: { id: 'c-1' } } });
  });

  it('dead-letters a v1 message that breaks the v1 contract instead of upcasting it', async () => {
    const dlq = new InMemoryPublisher('DLQ');
    const processor = new MessageProcessor({
      consumer: 'loyalty-orders',
      registry,
      handlers: new Map([['order.created.v2', async () => {}]]),
      deadLetters: new DeadLetterPublisher(dlq),
    });
    const broken = { ...v1ProducerEnvelope(), data: { ...v1, totalCents: 44.98 } };
    const message = new FakeMessage('orders.demo.created', encodeEnvelope(broken));
    expect(await processor.process(message)).toBe('dead_letter');
    expect(message.settled).toEqual({ kind: 'term' });
    expect(dlq.messages).toHaveLength(1);
  });
});
