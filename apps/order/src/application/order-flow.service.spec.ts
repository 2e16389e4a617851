import { PermanentError, type EmittedEvent, type Transaction } from '@platform/events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry, Order } from '../domain/order.js';
import { OrderStatus, type OrderProgress } from '../domain/order-flow.js';
import { OrderFlow } from './order-flow.service.js';
import { OrderMetrics } from './order.metrics.js';
import type { OrdersStore } from './ports.js';

// The orchestration of the flow over a fake repository: what is moved, emitted and counted, and
// that the counting waits for the commit. The SQL itself runs in the service's integration specs.

const created = new Date('2026-12-01T12:00:00.000Z');
const order: Order = {
  orderId: '0190f5c2-0000-7000-8000-000000000001',
  tenantId: 'acme',
  customerId: 'c-1',
  status: OrderStatus.Pending,
  paymentState: 'authorized',
  stockState: 'pending',
  totalCents: 3000,
  currency: 'EUR',
  items: [{ sku: 'SKU-001', quantity: 2, unitPriceCents: 1500 }],
  createdAt: created,
  updatedAt: created,
  deadlineAt: new Date(created.getTime() + 60_000),
};

function setUp(stored: Order | undefined) {
  const moves: Array<{ orderId: string; next: OrderProgress; entries: readonly HistoryEntry[] }> = [];
  const notes: HistoryEntry[] = [];
  const repository = {
    find: async () => stored,
    move: async (_tx: Transaction, orderId: string, next: OrderProgress, entries: readonly HistoryEntry[]) => void moves.push({ orderId, next, entries }),
    note: async (_tx: Transaction, _tenantId: string, _orderId: string, entry: HistoryEntry) => (stored ? (notes.push(entry), true) : false),
  } as unknown as OrdersStore;
  const registry = new Registry();
  const commits: Array<() => void> = [];
  const tx = { query: async () => ({ rows: [], rowCount: 0 }), afterCommit: (fn: () => void) => commits.push(fn) } as unknown as Transaction;
  const emitted: EmittedEvent[] = [];
  const emit = async (event: EmittedEvent) => emitted.push(event);
  const commit = () => commits.splice(0).forEach((fn) => fn());
  const metric = async (name: string) => (await registry.getSingleMetricAsString(name)).split('\n').filter((line) => !line.startsWith('#'));
  return { flow: new OrderFlow(repository, new OrderMetrics(registry)), tx, emit, emitted, moves, notes, commit, metric };
}

describe('OrderFlow', () => {
  it('moves the order, records the fact and its end, emits order.confirmed and counts it once committed', async () => {
    const { flow, tx, emit, emitted, moves, commit, metric } = setUp(order);
    const at = new Date('2026-12-01T12:00:01.000Z');
    await flow.apply(tx, emit, 'acme', order.orderId, { kind: 'stock-reserved' }, 'inventory.reserved.v1', at);
    expect(moves).toHaveLength(1);
    expect(moves[0]!.next).toMatchObject({ status: 'CONFIRMED', paymentState: 'authorized', stockState: 'reserved' });
    expect(moves[0]!.entries.map((e) => e.type)).toEqual(['inventory.reserved', 'order.confirmed']);
    expect(moves[0]!.entries[0]!.at).toEqual(at);
    expect(emitted).toEqual([{ type: 'order.confirmed.v1', aggregateId: order.orderId, data: { orderId: order.orderId, customerId: 'c-1', totalCents: 3000, currency: 'EUR' } }]);
    expect(await metric('orders_confirmed_total')).toEqual(['orders_confirmed_total 0']);
    commit();
    expect(await metric('orders_confirmed_total')).toEqual(['orders_confirmed_total 1']);
    expect(await metric('orders_revenue_cents_total')).toEqual(['orders_revenue_cents_total 3000']);
  });

  it('counts a cancellation by its reason', async () => {
    const { flow, tx, emit, emitted, commit, metric } = setUp(order);
    await flow.apply(tx, emit, 'acme', order.orderId, { kind: 'deadline-passed' }, 'order.deadline-passed', new Date());
    expect(emitted.map((e) => [e.type, (e.data as { reason: string }).reason])).toEqual([['order.cancelled.v1', 'timeout']]);
    commit();
    expect(await metric('orders_cancelled_total')).toEqual(['orders_cancelled_total{reason="timeout"} 1']);
  });

  it('records a fact that does not end the order, and emits nothing', async () => {
    const pending = { ...order, paymentState: 'pending' as const };
    const { flow, tx, emit, emitted, moves, commit, metric } = setUp(pending);
    await flow.apply(tx, emit, 'acme', order.orderId, { kind: 'stock-reserved' }, 'inventory.reserved.v1', new Date());
    expect(moves.map((m) => m.entries.map((e) => e.type))).toEqual([['inventory.reserved']]);
    expect(emitted).toEqual([]);
    commit();
    expect(await metric('orders_confirmed_total')).toEqual(['orders_confirmed_total 0']);
  });

  it('refuses a fact or a settlement about an order it never had, permanently', async () => {
    const { flow, tx, emit, moves, notes } = setUp(undefined);
    await expect(flow.apply(tx, emit, 'acme', order.orderId, { kind: 'payment-authorized' }, 'payment.authorized.v1', new Date())).rejects.toThrow(PermanentError);
    await expect(flow.note(tx, 'acme', order.orderId, 'payment.captured.v1', new Date())).rejects.toThrow(PermanentError);
    expect(moves).toEqual([]);
    expect(notes).toEqual([]);
  });

  it('notes a settlement in the history without its version', async () => {
    const { flow, tx, notes } = setUp(order);
    const at = new Date('2026-12-01T12:00:03.000Z');
    await flow.note(tx, 'acme', order.orderId, 'payment.captured.v1', at);
    expect(notes).toEqual([{ type: 'payment.captured', at }]);
  });
});
