import { seededRandom } from '@platform/events/testing';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../platform/args.js';
import { parseChaosArgs, SHORT_MODE } from './args.js';
import { SERVICES } from '../../e2e/harness/platform.js';
import { planFaults } from './faults.js';
import { checkInvariants, type Observations } from './invariants.js';
import { brokenInvariants, exitCodeOf, formatReport } from './report.js';
import type { ChaosPassReport, ChaosReport } from './runner.js';

const CONFIRMED = '0190a0a0-0000-7000-8000-000000000001';
const CANCELLED = '0190a0a0-0000-7000-8000-000000000002';

/** A platform's answers after a clean run: one confirmed order (2 × 1250), one declined. */
function cleanRun(): Observations {
  return {
    keys: [
      { key: 'k-1', customerId: 'c-1', items: [{ sku: 'SKU-A', quantity: 2 }], paymentToken: 'tok_visa', poison: false, orderId: CONFIRMED, orderIds: [CONFIRMED], attempts: 2 },
      { key: 'k-2', customerId: 'c-2', items: [{ sku: 'SKU-A', quantity: 1 }], paymentToken: 'tok_decline', poison: false, orderId: CANCELLED, orderIds: [CANCELLED], attempts: 1 },
    ],
    ordersByCustomer: {
      'c-1': [{ orderId: CONFIRMED, customerId: 'c-1', status: 'CONFIRMED', totalCents: 2500, items: [{ sku: 'SKU-A', quantity: 2 }] }],
      'c-2': [{ orderId: CANCELLED, customerId: 'c-2', status: 'CANCELLED', totalCents: 1250, items: [{ sku: 'SKU-A', quantity: 1 }], cancellationReason: 'payment_declined' }],
    },
    paymentsByOrder: {
      [CONFIRMED]: [{ paymentId: 'p-1', orderId: CONFIRMED, status: 'captured', amountCents: 2500 }],
      [CANCELLED]: [{ paymentId: 'p-2', orderId: CANCELLED, status: 'declined', amountCents: 1250 }],
    },
    notificationsByOrder: {
      [CONFIRMED]: [{ orderId: CONFIRMED, template: 'order-confirmed' }],
      [CANCELLED]: [{ orderId: CANCELLED, template: 'order-cancelled' }],
    },
    pointsByCustomer: { 'c-1': 25, 'c-2': 0 },
    products: [{ sku: 'SKU-A', initial: 10, available: 8, reserved: 0 }],
    analytics: { ordersCreated: 2, ordersConfirmed: 1, ordersCancelled: 1, revenueCents: 2500, paymentsCaptured: 1, pointsAwarded: 25, notificationsSent: 2, stockLowAlerts: 0 },
    outboxPending: { order: 0, payment: 0 },
    deadLetters: [],
    unpromptedExits: [],
  };
}

const broken = (observations: Observations) => checkInvariants(observations).filter((i) => !i.ok);

function reportOf(observations: Observations): ChaosReport {
  const invariants = checkInvariants(observations);
  const pass = {
    storage: 'postgres',
    seed: 1,
    tenant: 't',
    keys: observations.keys.length,
    rate: 1,
    seconds: 5,
    ackWaitMs: 5000,
    faults: [],
    skippedFaults: [],
    driver: { posts: 3, retries: 1, retryReasons: { network: 1, timeout: 0, '5xx': 0, '503': 0, '429': 0, dropped: 0 }, replayed: 0 },
    orders: { accepted: 2, confirmed: 1, cancelled: 1, pending: 0, cancellationReasons: { payment_declined: 1 } },
    batchesKeptForDatabase: {},
    invariants,
    ok: invariants.every((i) => i.ok),
    notes: [],
    timings: { startMs: 0, ordersMs: 0, terminalMs: 0, settleMs: 0, checkMs: 0, totalMs: 0 },
  } satisfies ChaosPassReport;
  return { ok: pass.ok, seed: 1, passes: [pass], totalMs: 0 };
}

describe('chaos invariants', () => {
  it('a clean run breaks none, and exits 0', () => {
    expect(broken(cleanRun())).toEqual([]);
    expect(exitCodeOf(reportOf(cleanRun()))).toBe(0);
  });

  it('a duplicate payment breaks "one payment per order" and makes the run exit 1', () => {
    const run = cleanRun();
    const observations = { ...run, paymentsByOrder: { ...run.paymentsByOrder, [CONFIRMED]: [...run.paymentsByOrder[CONFIRMED]!, { paymentId: 'p-3', orderId: CONFIRMED, status: 'captured', amountCents: 2500 }] } };
    expect(broken(observations).map((i) => i.name)).toEqual(['one payment per order, captured exactly for confirmed orders']);
    const report = reportOf(observations);
    expect(exitCodeOf(report)).toBe(1);
    expect(formatReport(report)).toMatch(/BROKEN \(1\)[\s\S]*k-1: order .* \(CONFIRMED\) has 2 payments \(captured, captured\)/);
    expect(brokenInvariants(report)).toEqual([expect.stringMatching(/^\[postgres\] one payment per order.*has 2 payments/)]);
  });

  it.each<[string, (o: Observations) => Observations, RegExp]>([
    ['a second order for one key', (o) => ({ ...o, ordersByCustomer: { ...o.ordersByCustomer, 'c-1': [...o.ordersByCustomer['c-1']!, { ...o.ordersByCustomer['c-1']![0]!, orderId: 'x' }] } }), /one order per key/],
    ['an order left PENDING', (o) => ({ ...o, ordersByCustomer: { ...o.ordersByCustomer, 'c-2': [{ ...o.ordersByCustomer['c-2']![0]!, status: 'PENDING' }] } }), /every accepted order terminal/],
    ['a unit lost from stock', (o) => ({ ...o, products: [{ sku: 'SKU-A', initial: 10, available: 7, reserved: 0 }] }), /stock conserved/],
    ['units left reserved', (o) => ({ ...o, products: [{ sku: 'SKU-A', initial: 10, available: 7, reserved: 1 }] }), /stock conserved/],
    ['points awarded twice', (o) => ({ ...o, pointsByCustomer: { 'c-1': 50, 'c-2': 0 } }), /loyalty points/],
    ['an order counted twice', (o) => ({ ...o, analytics: { ...o.analytics, ordersCreated: 3 } }), /analytics counters/],
    ['a second notification', (o) => ({ ...o, notificationsByOrder: { ...o.notificationsByOrder, [CANCELLED]: [{ template: 'order-cancelled' }, { template: 'order-cancelled' }] } }), /one terminal notification/],
    ['a captured payment of a cancelled order', (o) => ({ ...o, paymentsByOrder: { ...o.paymentsByOrder, [CANCELLED]: [{ paymentId: 'p-2', orderId: CANCELLED, status: 'captured', amountCents: 1250 }] } }), /captured exactly/],
    ['an unpublished outbox row', (o) => ({ ...o, outboxPending: { order: 1, payment: 0 } }), /outbox/],
    ['a dead letter', (o) => ({ ...o, deadLetters: [{ subject: 'dlq.payment-orders.orders.t.created', consumer: 'payment-orders', reason: 'retries_exhausted', orderId: CONFIRMED }] }), /DLQ empty/],
    ['a key refused', (o) => ({ ...o, keys: [...o.keys, { key: 'k-3', customerId: 'c-3', items: [], paymentToken: 'tok_visa', poison: false, orderIds: [], attempts: 1, refused: '422 {}' }] }), /every key accepted/],
    ['a service that died by itself', (o) => ({ ...o, unpromptedExits: ['payment at 12 s'] }), /exited unprompted/],
  ])('%s breaks an invariant', (_name, change, invariant) => {
    const names = broken(change(cleanRun())).map((i) => i.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.join(' | ')).toMatch(invariant);
  });

  it("a poison order's dead letter is expected; a missing one breaks the DLQ invariant", () => {
    const run = cleanRun();
    const poisoned: Observations = { ...run, keys: run.keys.map((key) => (key.key === 'k-2' ? { ...key, poison: true } : key)) };
    const letter = { subject: 'dlq.payment-orders.orders.t.created', consumer: 'payment-orders', reason: 'retries_exhausted', orderId: CANCELLED };
    expect(broken({ ...poisoned, deadLetters: [letter] })).toEqual([]);
    expect(broken(poisoned).map((i) => i.failures)).toEqual([[`poison order ${CANCELLED}: not dead-lettered`]]);
  });
});

describe('chaos arguments and schedule', () => {
  it('bad arguments are usage errors (exit 2)', () => {
    for (const argv of [['--storage', 'mysql'], ['--seconds', '0'], ['--rate', 'x'], ['--faults', 'kill,flood'], ['--nope'], ['stray']]) {
      expect(() => parseChaosArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
    expect(new UsageError('x').exitCode).toBe(2);
  });

  it('--short is the CI mode on both storages; --seed fixes the schedule', () => {
    const parsed = parseChaosArgs(['--short', '--seed', '9']);
    expect(parsed).toMatchObject({ help: false, options: { storages: ['postgres', 'pglite'], seconds: SHORT_MODE.seconds, rate: SHORT_MODE.rate, seed: 9 } });
    const plan = (seed: number) => planFaults({ kinds: ['kill', 'nats', 'pause', 'db-terminate', 'db-refuse'], storage: 'postgres', windowMs: 25_000, random: seededRandom(seed), pauseMs: 7000, refuseMs: 5000, natsDownMs: 2000 });
    expect(plan(9)).toEqual(plan(9));
    const kinds = plan(9).map((s) => s.fault.kind);
    expect(kinds.filter((k) => k === 'kill')).toHaveLength(6);
    const pairs = planFaults({ kinds: ['kill'], storage: 'postgres', windowMs: 25_000, random: seededRandom(9), pauseMs: 7000, refuseMs: 5000, natsDownMs: 2000, killTogether: 2 });
    expect(pairs.map((s) => (s.fault.kind === 'kill' ? s.fault.services.length : 0))).toEqual([2, 2, 2]);
    expect(pairs.flatMap((s) => (s.fault.kind === 'kill' ? s.fault.services : [])).sort()).toEqual([...SERVICES].sort());
    expect(kinds).toEqual(expect.arrayContaining(['nats', 'pause', 'db-terminate', 'db-refuse']));
    expect(plan(9).every((s) => s.atMs < 25_000)).toBe(true);
    const pglite = planFaults({ kinds: ['kill', 'nats', 'pause', 'db-terminate', 'db-refuse'], storage: 'pglite', windowMs: 25_000, random: seededRandom(9), pauseMs: 7000, refuseMs: 5000, natsDownMs: 2000 });
    expect(pglite.map((s) => s.fault.kind)).not.toContain('db-refuse');
  });
});

