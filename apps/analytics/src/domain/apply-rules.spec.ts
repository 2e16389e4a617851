import { createEnvelope, type EventEnvelope } from '@platform/events';
import { platformContracts, type PlatformEventType, platformExamplePayloads } from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import {
  addFact,
  ANALYTICS_CONTRACT_BY_EVENT,
  ANALYTICS_CONTRACTS,
  COUNTER_KEYS,
  factOf,
  summaryOf,
  zeroCounters,
  type Counters,
  type TenantTotals,
} from './apply-rules.js';

function envelope<Type extends PlatformEventType>(type: Type, data: object = platformExamplePayloads[type], time?: string): EventEnvelope {
  return createEnvelope({ type, data, source: type.split('.')[0]!, subject: 'agg-1', tenantId: 'acme', sequence: 1, ...(time ? { time } : {}) });
}

const empty: TenantTotals = { counters: zeroCounters(), lastEventAt: null };

function totalsOf(...events: EventEnvelope[]): TenantTotals {
  return events.reduce((totals, event) => addFact(totals, factOf(event)), empty);
}

describe('analytics apply rules', () => {
  it('has a rule for every platform event, at its latest version (order.created at v3)', () => {
    const latest = new Map<string, string>();
    for (const contract of platformContracts) {
      const known = latest.get(contract.unversioned);
      if (!known || Number(known.split('.v')[1]) < contract.version) latest.set(contract.unversioned, contract.type);
    }
    expect(ANALYTICS_CONTRACTS.map((c) => c.type).sort()).toEqual([...latest.values()].sort());
    expect(ANALYTICS_CONTRACT_BY_EVENT.get('order.created')?.type).toBe('order.created.v3');
  });

  it('refuses a type it has no rule for (v1 must be upcast first)', () => {
    expect(() => factOf(envelope('order.created.v1'))).toThrow(/no apply rule for order\.created\.v1/);
  });

  it.each<[PlatformEventType, Partial<Counters>]>([
    ['order.created.v3', { ordersCreated: 1 }],
    ['order.confirmed.v1', { ordersConfirmed: 1, revenueCents: 4498 }],
    ['order.cancelled.v1', { ordersCancelled: 1, cancelledPaymentDeclined: 1 }],
    ['payment.authorized.v1', { paymentsAuthorized: 1 }],
    ['payment.declined.v1', { paymentsDeclined: 1 }],
    ['payment.captured.v1', { paymentsCaptured: 1 }],
    ['payment.voided.v1', { paymentsVoided: 1 }],
    ['payment.refunded.v1', { paymentsRefunded: 1, refundedCents: 4498 }],
    ['inventory.reserved.v1', { itemsReserved: 3 }],
    ['inventory.reservation-failed.v1', {}],
    ['inventory.committed.v1', {}],
    ['inventory.released.v1', {}],
    ['inventory.stock-low.v1', { stockLowAlerts: 1 }],
    ['inventory.product-updated.v1', {}],
    ['loyalty.points-awarded.v1', { pointsAwarded: 44 }],
    ['notification.sent.v1', { notificationsSent: 1 }],
  ])('%s moves exactly %o', (type, expected) => {
    const totals = totalsOf(envelope(type));
    expect(totals.counters).toEqual({ ...zeroCounters(), ...expected });
  });

  it('records the event id, tenant, type, aggregate, time and the numbers the event carries', () => {
    const event = envelope('order.cancelled.v1', { ...platformExamplePayloads['order.cancelled.v1'], reason: 'timeout', totalCents: 1200 });
    expect(factOf(event)).toEqual({
      eventId: event.id,
      tenantId: 'acme',
      eventType: 'order.cancelled.v1',
      aggregateId: 'agg-1',
      occurredAt: event.time,
      amountCents: 1200,
      quantity: null,
      reason: 'timeout',
      deltas: { ordersCancelled: 1, cancelledTimeout: 1 },
    });
  });

  it.each([
    ['payment_declined', 'payment_declined'],
    ['out_of_stock', 'out_of_stock'],
    ['unknown_sku', 'unknown_sku'],
    ['timeout', 'timeout'],
  ] as const)('breaks cancellations with reason %s down', (reason, key) => {
    const totals = totalsOf(envelope('order.cancelled.v1', { ...platformExamplePayloads['order.cancelled.v1'], reason }));
    const summary = summaryOf(totals.counters, totals.lastEventAt);
    expect(summary.ordersCancelled).toBe(1);
    expect(summary.cancellationsByReason).toEqual({ payment_declined: 0, out_of_stock: 0, unknown_sku: 0, timeout: 0, [key]: 1 });
  });

  it('sums revenue over confirmed orders only and computes the confirmation ratio', () => {
    const confirmed = (totalCents: number) => envelope('order.confirmed.v1', { ...platformExamplePayloads['order.confirmed.v1'], totalCents });
    const totals = totalsOf(
      envelope('order.created.v3'),
      envelope('order.created.v3'),
      envelope('order.created.v3'),
      confirmed(1000),
      confirmed(2500),
      envelope('order.cancelled.v1'),
      envelope('payment.refunded.v1', { ...platformExamplePayloads['payment.refunded.v1'], amountCents: 700 }),
    );
    const summary = summaryOf(totals.counters, totals.lastEventAt);
    expect(summary).toMatchObject({ ordersCreated: 3, ordersConfirmed: 2, ordersCancelled: 1, revenueCents: 3500, refundedCents: 700, paymentsRefunded: 1 });
    expect(summary.confirmationRatio).toBeCloseTo(2 / 3, 12);
  });

  it('gives zeros, a ratio of 0 and no lastEventAt to a tenant without events', () => {
    const summary = summaryOf(zeroCounters(), null);
    expect(summary).toEqual({
      ordersCreated: 0,
      ordersConfirmed: 0,
      ordersCancelled: 0,
      cancellationsByReason: { payment_declined: 0, out_of_stock: 0, unknown_sku: 0, timeout: 0 },
      revenueCents: 0,
      refundedCents: 0,
      paymentsAuthorized: 0,
      paymentsDeclined: 0,
      paymentsCaptured: 0,
      paymentsVoided: 0,
      paymentsRefunded: 0,
      itemsReserved: 0,
      stockLowAlerts: 0,
      pointsAwarded: 0,
      notificationsSent: 0,
      confirmationRatio: 0,
      lastEventAt: null,
    });
    expect(Object.keys(zeroCounters())).toEqual([...COUNTER_KEYS]);
  });

  it('keeps the latest event time whatever the order the events are applied in', () => {
    const early = envelope('notification.sent.v1', undefined, '2026-01-01T10:00:00.000Z');
    const late = envelope('inventory.committed.v1', undefined, '2026-01-01T11:00:00.000Z');
    expect(totalsOf(early, late).lastEventAt).toBe('2026-01-01T11:00:00.000Z');
    expect(totalsOf(late, early).lastEventAt).toBe('2026-01-01T11:00:00.000Z');
  });

  it('gives the same totals in any application order (the replay reads streams one after another)', () => {
    const events = [
      envelope('order.created.v3'),
      envelope('payment.authorized.v1'),
      envelope('inventory.reserved.v1'),
      envelope('order.confirmed.v1'),
      envelope('loyalty.points-awarded.v1'),
    ];
    expect(totalsOf(...[...events].reverse())).toEqual(totalsOf(...events));
  });
});
