import { describe, expect, it } from 'vitest';
import { createEnvelope, DeadLetterPublisher, encodeEnvelope, MessageProcessor } from '@platform/events';
import type { EventEnvelope } from '@platform/events';
import { FakeMessage, InMemoryPublisher } from '@platform/events/testing';
import { createPlatformRegistry } from '../catalogue.js';
import { platformExamplePayloads } from '../examples.js';
import { subjectFor } from '../subjects.js';
import { orderCreatedV1 } from './order-created.v1.js';
import { orderCreatedV2, type OrderCreatedV2 } from './order-created.v2.js';
import { orderCreatedV2ToV3 } from './order-created.v2-to-v3.upcaster.js';

const registry = createPlatformRegistry();
const v2: OrderCreatedV2 = platformExamplePayloads['order.created.v2'];

function v2Envelope(data: OrderCreatedV2 = v2): EventEnvelope<OrderCreatedV2> {
  registry.validate(orderCreatedV2.type, data);
  return createEnvelope({ contract: orderCreatedV2, data, source: 'order', tenantId: 'demo', sequence: 1 });
}

describe('order.created v2 → v3 upcaster', () => {
  it('copies customer, items, total and deadline, and drops the clear payment token', () => {
    const v3 = orderCreatedV2ToV3.upcast(v2, v2Envelope());
    expect(v3).toEqual({ orderId: v2.orderId, customer: { id: 'c-1', tier: 'gold' }, items: v2.items, total: v2.total, deadlineAt: v2.deadlineAt });
    expect(JSON.stringify(v3)).not.toContain('tok_');
    expect(registry.validate('order.created.v3', v3)).toBe(v3);
  });

  it('leaves optional fields absent, shares no objects with the v2 payload', () => {
    const { deadlineAt: _deadline, ...rest } = v2;
    const withoutTier = { ...rest, customer: { id: 'c-1' } };
    const v3 = orderCreatedV2ToV3.upcast(withoutTier, v2Envelope(withoutTier));
    expect(Object.keys(v3).sort()).toEqual(['customer', 'items', 'orderId', 'total']);
    expect(Object.keys(v3.customer)).toEqual(['id']);
    expect(v3.items[0]).not.toBe(v2.items[0]);
    expect(v3.total).not.toBe(v2.total);
  });

  it('chains v1 → v2 → v3 for a v3 consumer (inventory, analytics), without the token', async () => {
    const seen: EventEnvelope[] = [];
    const dlq = new InMemoryPublisher('DLQ');
    const processor = new MessageProcessor({
      consumer: 'inventory-orders',
      registry,
      handlers: new Map([['order.created.v3', async (event: EventEnvelope) => void seen.push(event)]]),
      deadLetters: new DeadLetterPublisher(dlq),
    });
    const v1 = createEnvelope({ contract: orderCreatedV1, data: platformExamplePayloads['order.created.v1'], source: 'order', tenantId: 'demo', sequence: 1 });
    for (const produced of [v1, v2Envelope()] as EventEnvelope[]) {
      const message = new FakeMessage(subjectFor(produced.type, 'demo'), encodeEnvelope(produced));
      expect(await processor.process(message)).toBe('ack');
    }
    expect(dlq.messages).toHaveLength(0);
    expect(seen.map((e) => e.type)).toEqual(['order.created.v3', 'order.created.v3']);
    for (const event of seen) {
      expect(event.data).toMatchObject({ customer: { id: 'c-1' }, total: { amountCents: 4498, currency: 'EUR' } });
      expect(JSON.stringify(event.data)).not.toContain('tok_');
    }
  });

  it('routes a v2 event to a v2 handler beside a v3 one (the payment service during the transition)', async () => {
    const seen: string[] = [];
    const processor = new MessageProcessor({
      consumer: 'payment-orders',
      registry,
      handlers: new Map([
        ['order.created.v2', async (event: EventEnvelope) => void seen.push(`v2:${(event.data as OrderCreatedV2).paymentToken}`)],
        ['order.created.v3', async (event: EventEnvelope) => void seen.push(`v3:${event.type}`)],
      ]),
      deadLetters: new DeadLetterPublisher(new InMemoryPublisher('DLQ')),
    });
    const v3 = createEnvelope({ type: 'order.created.v3', data: platformExamplePayloads['order.created.v3'], source: 'order', subject: v2.orderId, tenantId: 'demo', sequence: 1 });
    for (const produced of [v2Envelope(), v3] as EventEnvelope[]) {
      expect(await processor.process(new FakeMessage(subjectFor(produced.type, 'demo'), encodeEnvelope(produced)))).toBe('ack');
    }
    expect(seen).toEqual(['v2:tok_visa', 'v3:order.created.v3']);
  });

  it('refuses a v3 payload carrying a clear token or a malformed sealed one', () => {
    const v3 = platformExamplePayloads['order.created.v3'];
    expect(() => registry.validate('order.created.v3', { ...v3, paymentToken: 'tok_visa' })).toThrow(/paymentToken/);
    expect(() => registry.validate('order.created.v3', { ...v3, paymentTokenSealed: 'tok_visa' })).toThrow(/paymentTokenSealed/);
  });
});
