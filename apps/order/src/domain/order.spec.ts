import { describe, expect, it } from 'vitest';
import { historyEntries, historyTypeOf, type Order, outcomeEvent } from './order.js';
import { decide, OrderStatus } from './order-flow.js';

const created = new Date('2026-12-01T12:00:00.000Z');
const order: Order = {
  orderId: '0190f5c2-0000-7000-8000-000000000001',
  tenantId: 'acme',
  customerId: 'c-1',
  status: OrderStatus.Pending,
  paymentState: 'authorized',
  stockState: 'pending',
  totalCents: 3500,
  currency: 'EUR',
  items: [
    { sku: 'SKU-001', quantity: 2, unitPriceCents: 1500 },
    { sku: 'SKU-002', quantity: 1, unitPriceCents: 500 },
  ],
  createdAt: created,
  updatedAt: created,
  deadlineAt: new Date(created.getTime() + 60_000),
};

describe('outcomeEvent', () => {
  it('is order.confirmed with the total when the decision confirmed the order', () => {
    expect(outcomeEvent(order, decide(order, { kind: 'stock-reserved' }))).toEqual({
      type: 'order.confirmed.v1',
      aggregateId: order.orderId,
      data: { orderId: order.orderId, customerId: 'c-1', totalCents: 3500, currency: 'EUR' },
    });
  });

  it('is order.cancelled with the reason and the lines without their prices when it cancelled it', () => {
    expect(outcomeEvent(order, decide(order, { kind: 'stock-failed', reason: 'out_of_stock' }))).toEqual({
      type: 'order.cancelled.v1',
      aggregateId: order.orderId,
      data: {
        orderId: order.orderId,
        customerId: 'c-1',
        totalCents: 3500,
        currency: 'EUR',
        reason: 'out_of_stock',
        items: [
          { sku: 'SKU-001', quantity: 2 },
          { sku: 'SKU-002', quantity: 1 },
        ],
      },
    });
  });

  it('is nothing while the order stays pending, or once it is terminal', () => {
    expect(outcomeEvent(order, decide(order, { kind: 'payment-authorized' }))).toBeUndefined();
    const cancelled = { ...order, ...decide(order, { kind: 'deadline-passed' }).next };
    expect(outcomeEvent(cancelled, decide(cancelled, { kind: 'stock-reserved' }))).toBeUndefined();
  });
});

describe('order history', () => {
  it('names an event without its version', () => {
    expect(historyTypeOf('payment.authorized.v1')).toBe('payment.authorized');
    expect(historyTypeOf('order.created.v3')).toBe('order.created');
    expect(historyTypeOf('order.deadline-passed')).toBe('order.deadline-passed');
  });

  it('records the reported fact at its time, then the end of the order at the decision time', () => {
    const at = new Date('2026-12-01T12:00:01.000Z');
    const now = new Date('2026-12-01T12:00:02.000Z');
    expect(historyEntries('payment.authorized.v1', at, decide(order, { kind: 'payment-authorized' }), now)).toEqual([{ type: 'payment.authorized', at }]);
    expect(historyEntries('inventory.reserved.v1', at, decide(order, { kind: 'stock-reserved' }), now)).toEqual([
      { type: 'inventory.reserved', at },
      { type: 'order.confirmed', at: now },
    ]);
    expect(historyEntries('payment.declined.v1', at, decide(order, { kind: 'payment-declined' }), now)).toEqual([
      { type: 'payment.declined', at },
      { type: 'order.cancelled', at: now },
    ]);
  });
});
