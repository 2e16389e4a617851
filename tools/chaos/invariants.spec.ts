import { seededRandom } from '@platform/events/testing';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../lib/cli.js';
import { parseChaosArgs, SHORT_MODE } from './args.js';
import { SERVICES } from '../../e2e/harness/platform.js';
import { FAULT_KINDS, planFaults, skippedFaults, skippedLines, type FaultRecord } from './faults.js';
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

function reportOf(observations: Observations, setting: { cluster?: boolean; faults?: FaultRecord[]; skippedFaults?: ChaosPassReport['skippedFaults']; notes?: string[] } = {}): ChaosReport {
  const invariants = checkInvariants(observations);
  const pass = {
    storage: 'postgres',
    cluster: setting.cluster ?? false,
    seed: 1,
    tenant: 't',
    keys: observations.keys.length,
    rate: 1,
    seconds: 5,
    ackWaitMs: 5000,
    faults: setting.faults ?? [],
    skippedFaults: setting.skippedFaults ?? [],
    driver: { posts: 3, retries: 1, retryReasons: { network: 1, timeout: 0, '5xx': 0, '503': 0, '429': 0, dropped: 0 }, replayed: 0 },
    orders: { accepted: 2, confirmed: 1, cancelled: 1, pending: 0, cancellationReasons: { payment_declined: 1 } },
    batchesKeptForDatabase: {},
    invariants,
    ok: invariants.every((i) => i.ok),
    notes: setting.notes ?? [],
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

describe('chaos cluster mode (--cluster, node-kill)', () => {
  const plan = (options: { cluster: boolean; kinds?: readonly (typeof FAULT_KINDS)[number][]; storage?: 'postgres' | 'pglite'; nodeKills?: number }) =>
    planFaults({ kinds: options.kinds ?? FAULT_KINDS, storage: options.storage ?? 'postgres', cluster: options.cluster, nodeKills: options.nodeKills, windowMs: 25_000, random: seededRandom(9), pauseMs: 7000, refuseMs: 5000, natsDownMs: 2000, nodeDownMs: 3000, killTogether: 2 });

  it('--cluster: every fault that applies by default, node-kill among them; one node kill in the short mode, two in the full one', () => {
    expect(parseChaosArgs(['--cluster', '--short', '--storage', 'postgres', '--seed', '9'])).toMatchObject({ help: false, options: { cluster: true, storages: ['postgres'], nodeKills: 1, faults: [...FAULT_KINDS] } });
    expect(parseChaosArgs(['--cluster', '--seed', '9'])).toMatchObject({ options: { cluster: true, nodeKills: 2 } });
    expect(parseChaosArgs(['--cluster', '--faults', 'node-kill,pause', '--seed', '9'])).toMatchObject({ options: { cluster: true, faults: ['node-kill', 'pause'] } });
    // Without --cluster the default is the single server's faults.
    const single = parseChaosArgs(['--seed', '9']);
    expect(single).toMatchObject({ options: { cluster: false, faults: ['kill', 'nats', 'pause', 'db-terminate', 'db-refuse'] } });
  });

  it('node-kill without --cluster is a usage error (exit 2) that says so', () => {
    for (const argv of [['--faults', 'node-kill'], ['--faults', 'kill,node-kill', '--storage', 'postgres'], ['--faults', ','], ['--cluster', '--faults', 'node-kil']]) {
      expect(() => parseChaosArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
    expect(() => parseChaosArgs(['--faults', 'node-kill'])).toThrow(/--faults node-kill needs --cluster/);
    try {
      parseChaosArgs(['--faults', 'node-kill']);
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(2);
    }
  });

  it('the cluster schedule kills the ORDERS leader instead of nats-server, in the restarts lane, and still every service, a pause and the database faults', () => {
    const schedule = plan({ cluster: true });
    const kinds = schedule.map((s) => s.fault.kind);
    expect(kinds).not.toContain('nats');
    expect(schedule.filter((s) => s.fault.kind === 'node-kill')).toEqual([expect.objectContaining({ lane: 'restarts', fault: { kind: 'node-kill', stream: 'ORDERS', downMs: 3000 } })]);
    expect(schedule.flatMap((s) => (s.fault.kind === 'kill' ? s.fault.services : [])).sort()).toEqual([...SERVICES].sort());
    expect(kinds).toEqual(expect.arrayContaining(['pause', 'db-terminate', 'db-refuse']));
    expect(schedule.every((s) => s.atMs < 25_000)).toBe(true);
    // More than one: the leader of the next stream each time.
    expect(plan({ cluster: true, nodeKills: 3 }).flatMap((s) => (s.fault.kind === 'node-kill' ? [s.fault.stream] : []))).toEqual(['ORDERS', 'PAYMENTS', 'INVENTORY']);
    for (let seed = 1; seed <= 20; seed++) {
      const streams = planFaults({ kinds: FAULT_KINDS, storage: 'postgres', cluster: true, nodeKills: 2, windowMs: 120_000, random: seededRandom(seed), pauseMs: 7000, refuseMs: 5000, natsDownMs: 2000 })
        .filter((s) => s.fault.kind === 'node-kill')
        .map((s) => (s.fault.kind === 'node-kill' ? s.fault.stream : ''));
      expect(streams, `seed ${seed}`).toEqual(['ORDERS', 'PAYMENTS']);
    }
    // A single server has no node to kill (should the kind be asked for programmatically).
    expect(plan({ cluster: false }).map((s) => s.fault.kind)).not.toContain('node-kill');
    expect(plan({ cluster: false }).map((s) => s.fault.kind)).toContain('nats');
    // The cluster leaves the rest of the seeded schedule as it is on one server.
    const withoutNats = (cluster: boolean) => plan({ cluster }).filter((s) => s.lane === 'stalls');
    expect(withoutNats(true)).toEqual(withoutNats(false));
  });

  it('what does not apply is said, per reason', () => {
    expect(skippedFaults(FAULT_KINDS, { storage: 'postgres', cluster: true })).toEqual(['nats']);
    expect(skippedFaults(FAULT_KINDS, { storage: 'pglite', cluster: true })).toEqual(['nats', 'db-terminate', 'db-refuse']);
    expect(skippedFaults(['kill', 'nats', 'pause', 'db-terminate', 'db-refuse'], { storage: 'postgres', cluster: false })).toEqual([]);
    expect(skippedLines(FAULT_KINDS, { storage: 'pglite', cluster: true })).toEqual([
      'not injected on the cluster: nats (three nats-servers, not one: node-kill SIGKILLs a stream leader instead)',
      'not injected on pglite: db-terminate, db-refuse (PGlite is in-process: no database server to cut or refuse)',
    ]);
  });

  it("the report names the killed node, the stream it led, the election and the time down, and what was not injected", () => {
    const node = { node: 'n1', stream: 'ORDERS', successor: 'n2', electionMs: 812, downMs: 3004, rejoinMs: 420 };
    const record: FaultRecord = { kind: 'node-kill', target: 'n1', startedMs: 9_000, tookMs: 3_500, detail: 'led ORDERS; n2 leads it 812 ms after the kill; down 3004 ms, restarted with its store, cluster whole again after 420 ms', node };
    const skipped = skippedLines(['nats'], { storage: 'postgres', cluster: true });
    const text = formatReport(reportOf(cleanRun(), { cluster: true, faults: [record], skippedFaults: ['nats'], notes: skipped }));
    expect(text).toMatch(/=== chaos on postgres, 3-node cluster: every invariant holds/);
    expect(text).toMatch(/9\.0 s {2}node-kill {2}n1 .* led ORDERS; n2 leads it 812 ms after the kill; down 3004 ms/);
    expect(text).toContain('not injected on the cluster: nats (three nats-servers, not one: node-kill SIGKILLs a stream leader instead)');
    expect(text).not.toContain('note: not injected');
    expect(text).toMatch(/\(postgres on the cluster ok\)/);
  });
});
