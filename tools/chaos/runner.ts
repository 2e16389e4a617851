/**
 * The chaos suite: the six services and nats-server (or, with `cluster`, a 3-node JetStream
 * cluster with every stream at 3 replicas) as processes (the e2e harness), a stream of orders
 * placed with Idempotency-Keys and retried as a real client would, faults injected while they flow
 * (SIGKILL of each service and of nats-server — on a cluster, of the node leading a stream —,
 * SIGSTOP past the ack wait, PostgreSQL backends terminated and connections refused), then — once
 * the flow has settled — every invariant checked through the HTTP API (and the DLQ stream, and
 * each outbox gauge).
 */
import { cp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumersOf } from '@platform/events';
import { platformTopology } from '@platform/contracts';
import { seededRandom } from '@platform/events/testing';
import { type PlatformTestNatsCluster, startPlatformTestNatsCluster } from '@platform/events-ops/testing';
import { testAuth } from '@platform/service-kit/testing';
import { Platform, randomTenant, request, SERVICES, type ServiceName } from '../../e2e/harness/platform.js';
import { CATALOGUE, OrderDriver, type DriverStats } from './driver.js';
import { describeFault, FAULT_KINDS, injectFault, planFaults, skippedFaults as skippedFaultsOf, skippedLines, targetsOf, type FaultContext, type FaultKind, type FaultRecord, type ScheduledFault } from './faults.js';
import { checkInvariants, type DeadLetter, type InvariantResult, type Observations, type ObservedOrder } from './invariants.js';

export type Storage = 'postgres' | 'pglite';

export interface ChaosOptions {
  readonly storages: readonly Storage[];
  /** Each pass on a 3-node JetStream cluster (streams at 3 replicas) instead of one nats-server: node-kill instead of nats. */
  readonly cluster?: boolean;
  /** Seconds of the order window per storage (faults start within its first 80 %). */
  readonly seconds: number;
  /** New idempotency keys (orders) per second. */
  readonly rate: number;
  readonly seed: number;
  readonly faults?: readonly FaultKind[];
  /** Poison orders (`tok_gateway_error`): expected dead-lettered by payment and cancelled by deadline. */
  readonly poison?: number;
  /** Ack wait of every durable (the SIGSTOP lasts longer). Default 5000. */
  readonly ackWaitMs?: number;
  /** How long a service stays SIGSTOPped. Default ack wait + 2000. */
  readonly pauseMs?: number;
  /** How long a database refuses connections. Default 5000. */
  readonly refuseMs?: number;
  /** How long nats-server stays down. Default 2000. */
  readonly natsDownMs?: number;
  /** How long a killed cluster node stays down (at least until its stream has a new leader). Default 3000. */
  readonly nodeDownMs?: number;
  /** Node kills per pass in cluster mode (ORDERS' leader, then PAYMENTS', …). Default 1. */
  readonly nodeKills?: number;
  /** Share of first answers the client drops on purpose and retries. Default 0.1. */
  readonly dropShare?: number;
  /** The order deadline of the order service (ORDER_DEADLINE_MS). Default 30000. */
  readonly orderDeadlineMs?: number;
  /** Services SIGKILLed at once by one kill fault (each service is killed once either way). Default 1. */
  readonly killTogether?: number;
  /** Progress lines (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

export interface PassTimings {
  readonly startMs: number;
  readonly ordersMs: number;
  readonly terminalMs: number;
  readonly settleMs: number;
  readonly checkMs: number;
  readonly totalMs: number;
}

export interface ChaosPassReport {
  readonly storage: Storage;
  /** On a 3-node JetStream cluster (else one nats-server). */
  readonly cluster: boolean;
  readonly seed: number;
  readonly tenant: string;
  readonly keys: number;
  readonly rate: number;
  readonly seconds: number;
  readonly ackWaitMs: number;
  readonly faults: readonly FaultRecord[];
  /** Fault kinds asked for that this pass does not have (the database faults with PGlite, nats on a cluster). */
  readonly skippedFaults: readonly FaultKind[];
  readonly driver: DriverStats;
  readonly orders: { readonly accepted: number; readonly confirmed: number; readonly cancelled: number; readonly pending: number; readonly cancellationReasons: Record<string, number> };
  /** From the services' logs: batches a consumer kept (not retried, not dead-lettered) while its database was unavailable. */
  readonly batchesKeptForDatabase: Partial<Record<ServiceName, number>>;
  readonly invariants: readonly InvariantResult[];
  readonly ok: boolean;
  readonly notes: readonly string[];
  readonly timings: PassTimings;
  /** With a broken invariant: a copy of the services' logs. */
  readonly logsDir?: string;
}

export interface ChaosReport {
  readonly ok: boolean;
  readonly seed: number;
  readonly passes: readonly ChaosPassReport[];
  readonly totalMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOKEN_TTL_S = 4 * 3600;
/** Answers the checks read with a few requests at once. */
const CHECK_CONCURRENCY = 8;
/** The outbox gauge is refreshed by each relay's housekeeping every 5 s: two zero reads this far apart. */
const OUTBOX_GAUGE_REFRESH_MS = 5_500;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

/** Sum of a metric's samples in a Prometheus text exposition. */
function metricValue(text: string, name: string): number {
  let total = 0;
  for (const sample of text.split('\n')) {
    if (sample.startsWith(`${name} `) || sample.startsWith(`${name}{`)) total += Number(sample.slice(sample.lastIndexOf(' ') + 1));
  }
  return total;
}

/** How to stop each pass running now: the CLI runs them on SIGINT/SIGTERM, so that no service or nats-server outlives it. */
const teardowns = new Set<() => Promise<void>>();

/** Stop the platform (and dispose of the cluster) of every pass still running; the passes then fail. */
export async function tearDownRunningPasses(): Promise<void> {
  await Promise.all([...teardowns].map((tearDown) => tearDown().catch(() => undefined)));
}

/** Run the suite on each storage in turn; the report says which invariants held. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const passes: ChaosPassReport[] = [];
  for (const [i, storage] of options.storages.entries()) passes.push(await runPass(options, storage, options.seed + i));
  return { ok: passes.every((pass) => pass.ok), seed: options.seed, passes, totalMs: Date.now() - started };
}

async function runPass(options: ChaosOptions, storage: Storage, seed: number): Promise<ChaosPassReport> {
  const clustered = options.cluster ?? false;
  const log = (line: string) => options.log?.(`[chaos ${storage}${clustered ? ' cluster' : ''}] ${line}`);
  const random = seededRandom(seed);
  const ackWaitMs = options.ackWaitMs ?? 5_000;
  const orderDeadlineMs = options.orderDeadlineMs ?? 30_000;
  // As the CLI's default: every fault, node-kill only on a cluster.
  const kinds = options.faults ?? FAULT_KINDS.filter((kind) => clustered || kind !== 'node-kill');
  const windowMs = options.seconds * 1000;
  const notes: string[] = [];
  const t0 = Date.now();
  const durables = SERVICES.flatMap((service) => consumersOf(platformTopology(), service).map((c) => c.durable));
  const topology = { overrides: { consumers: Object.fromEntries(durables.map((durable) => [durable, { ackWaitMs }])) } };
  log(`starting the six services and ${clustered ? 'a 3-node JetStream cluster (streams at 3 replicas)' : 'nats-server'} (ack wait ${ackWaitMs} ms)`);
  // The cluster is handed to the platform (which then leaves it running at its stop): disposed below.
  const cluster: PlatformTestNatsCluster | undefined = clustered ? await startPlatformTestNatsCluster({ topology }) : undefined;
  const disposeCluster = async () => {
    await cluster?.dispose();
  };
  teardowns.add(disposeCluster);
  const platform = await Platform.start({
    storage,
    ...(cluster ? { nats: cluster } : {}),
    env: {
      INVENTORY_SEED_DEMO: 'false',
      ORDER_DEADLINE_MS: String(orderDeadlineMs),
      ORDER_DEADLINE_SWEEP_MS: '500',
      EVENT_RETRY_INITIAL_MS: '200',
      EVENT_RETRY_MAX_MS: '800',
    },
    topology,
  }).catch(async (error: unknown) => {
    teardowns.delete(disposeCluster);
    await disposeCluster();
    throw error;
  });
  const expectedDown = new Set<ServiceName>();
  const unpromptedExits: string[] = [];
  let watching = true;
  let tornDown: Promise<void> | undefined;
  // Once: the services resumed (a paused one would never drain) and stopped, then the cluster disposed of.
  const tearDown = () =>
    (tornDown ??= (async () => {
      watching = false;
      for (const service of SERVICES) platform.services[service].resume();
      try {
        await platform.stop();
      } finally {
        await disposeCluster();
      }
    })());
  teardowns.delete(disposeCluster);
  teardowns.add(tearDown);
  // A service that dies by itself is noted and started again, so that the run can go on.
  const watch = (async () => {
    while (watching) {
      for (const service of SERVICES) {
        const proc = platform.services[service];
        if (watching && !proc.running && !expectedDown.has(service)) {
          unpromptedExits.push(`${service} at ${Math.round((Date.now() - t0) / 1000)} s`);
          log(`${service} exited unprompted; starting it again`);
          expectedDown.add(service);
          await proc.start().catch((error: Error) => notes.push(`${service} did not start again: ${error.message}`));
          expectedDown.delete(service);
        }
      }
      await sleep(250);
    }
  })();
  let logsDir: string | undefined;
  try {
    const tenant = randomTenant('chaos');
    const operator = testAuth().token({ tenant, roles: ['operator'], ttlSeconds: TOKEN_TTL_S });
    const api = <T = unknown>(service: ServiceName, path: string, init: Parameters<typeof request>[1] = {}) =>
      request<T>(`${platform.url(service)}${path}`, { tenant, token: operator, signal: AbortSignal.timeout(15_000), ...init });
    for (const item of CATALOGUE) {
      const put = await api('inventory', `/products/${item.sku}`, { method: 'PUT', body: { name: `Chaos ${item.sku}`, priceCents: item.priceCents, available: item.available } });
      if (put.status !== 200 && put.status !== 201) throw new Error(`PUT /products/${item.sku}: ${put.status} ${JSON.stringify(put.body)}`);
    }
    await platform.settled(60_000);
    const startMs = Date.now() - t0;

    // Orders and faults, side by side.
    const keys = Math.max(1, Math.round(options.rate * options.seconds));
    const schedule = planFaults({
      kinds,
      storage,
      windowMs,
      random,
      pauseMs: options.pauseMs ?? ackWaitMs + 2_000,
      refuseMs: options.refuseMs ?? 5_000,
      natsDownMs: options.natsDownMs ?? 2_000,
      killTogether: options.killTogether,
      cluster: clustered,
      nodeDownMs: options.nodeDownMs ?? 3_000,
      nodeKills: options.nodeKills,
    });
    const setting = { storage, cluster: clustered };
    const skippedFaults = skippedFaultsOf(kinds, setting);
    // The report prints these lines under the faults (and not again as notes).
    notes.push(...skippedLines(kinds, setting));
    const ordersStart = Date.now();
    let giveUpAt = ordersStart + windowMs + 180_000;
    const driver = new OrderDriver({
      orderUrl: platform.url('order'),
      tenant,
      keys,
      ratePerSecond: options.rate,
      random: seededRandom(seed ^ 0x5eed),
      poison: options.poison ?? 0,
      dropShare: options.dropShare ?? 0.1,
      giveUpAt: () => giveUpAt,
      attemptTimeoutMs: 5_000,
    });
    log(`placing ${keys} orders at ${options.rate}/s; ${schedule.length} faults: ${schedule.map((s) => describeFault(s.fault)).join('; ')}`);
    const context: FaultContext = { platform, expectedDown, ...(cluster ? { cluster } : {}) };
    const records: FaultRecord[] = [];
    // One fault at a time per target: a database is never refused while its service restarts.
    const busy = new Map<string, Promise<unknown>>();
    const busyWith = async (targets: readonly string[]) => {
      for (let held = targets.find((t) => busy.has(t)); held !== undefined; held = targets.find((t) => busy.has(t))) await busy.get(held);
    };
    const lane = async (faults: readonly ScheduledFault[]) => {
      for (const { atMs, fault } of faults) {
        const wait = ordersStart + atMs - Date.now();
        if (wait > 0) await sleep(wait);
        const targets = targetsOf(fault);
        const target = targets.join('+');
        await busyWith(targets);
        const begin = Date.now();
        log(`t=${((begin - ordersStart) / 1000).toFixed(1)} s ${describeFault(fault)}`);
        const injection = injectFault(context, fault);
        for (const t of targets) busy.set(t, injection.catch(() => undefined));
        try {
          const outcome = await injection;
          records.push({ kind: fault.kind, target: outcome.target ?? target, startedMs: begin - ordersStart, tookMs: Date.now() - begin, detail: outcome.detail, ...(outcome.node ? { node: outcome.node } : {}) });
          if (outcome.node) log(`  ${outcome.target}: ${outcome.detail}`);
        } catch (error) {
          const message = (error as Error)?.message ?? String(error);
          log(`  fault failed: ${message}`);
          records.push({ kind: fault.kind, target, startedMs: begin - ordersStart, tookMs: Date.now() - begin, detail: 'failed', error: message });
        } finally {
          for (const t of targets) busy.delete(t);
        }
      }
    };
    const injecting = Promise.all([lane(schedule.filter((s) => s.lane === 'restarts')), lane(schedule.filter((s) => s.lane === 'stalls'))]).then(() => {
      records.sort((a, b) => a.startedMs - b.startedMs);
      // The faults are over: a key not answered within a minute from now has given up.
      giveUpAt = Math.min(giveUpAt, Date.now() + 60_000);
    });
    await Promise.all([driver.run(), injecting]);
    const ordersMs = Date.now() - ordersStart;
    const outcomes = driver.keyOutcomes();
    for (const record of records) if (record.error) notes.push(`fault ${record.kind} ${record.target} failed: ${record.error}`);
    log(`orders placed in ${(ordersMs / 1000).toFixed(1)} s (${driver.stats.posts} POSTs, ${driver.stats.retries} retries); waiting for every order to be terminal`);

    // Every accepted order terminal: poll the PENDING list, bounded by the deadline plus margin.
    const terminalStart = Date.now();
    const terminalDeadline = terminalStart + orderDeadlineMs + 45_000;
    for (;;) {
      const pending = await api<{ items: unknown[] }>('order', '/orders?status=PENDING&limit=1').catch(() => undefined);
      if (pending?.status === 200 && pending.body.items.length === 0) break;
      if (Date.now() > terminalDeadline) {
        notes.push(`orders still PENDING ${Math.round((Date.now() - terminalStart) / 1000)} s after the run`);
        break;
      }
      await sleep(250);
    }
    const terminalMs = Date.now() - terminalStart;

    // Settled: every durable drained and acknowledged, and no outbox row left (two fresh gauge reads).
    const settleStart = Date.now();
    const settleDeadline = settleStart + 90_000;
    const outboxPending = async (): Promise<Record<string, number>> => {
      const values = await mapLimit(SERVICES, SERVICES.length, async (service) => {
        const text = await fetch(`${platform.url(service)}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
        return [service, metricValue(text, 'events_outbox_pending_rows')] as const;
      });
      return Object.fromEntries(values);
    };
    let outbox: Record<string, number> = {};
    for (;;) {
      const left = Math.max(1_000, settleDeadline - Date.now());
      const settled = await platform.settled(left).then(
        () => undefined,
        (error: Error) => error.message,
      );
      outbox = await outboxPending();
      const clean = settled === undefined && Object.values(outbox).every((rows) => rows === 0);
      if (clean) {
        await sleep(OUTBOX_GAUGE_REFRESH_MS);
        outbox = await outboxPending();
        if (Object.values(outbox).every((rows) => rows === 0) && (await platform.settled(1_000).then(() => true, () => false))) break;
      }
      if (Date.now() > settleDeadline) {
        notes.push(`did not settle within ${Math.round((Date.now() - settleStart) / 1000)} s: ${settled ?? `outbox ${JSON.stringify(outbox)}`}`);
        break;
      }
      await sleep(500);
    }
    const settleMs = Date.now() - settleStart;

    // The checks, through the HTTP API.
    log('checking the invariants');
    const checkStart = Date.now();
    const get = async <T>(service: ServiceName, path: string): Promise<T> => {
      const response = await api<T>(service, path);
      if (response.status !== 200) throw new Error(`GET ${service} ${path}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      return response.body;
    };
    const ordersByCustomer: Record<string, ObservedOrder[]> = {};
    const pointsByCustomer: Record<string, number> = {};
    await mapLimit(outcomes, CHECK_CONCURRENCY, async (key) => {
      const customer = encodeURIComponent(key.customerId);
      ordersByCustomer[key.customerId] = (await get<{ items: ObservedOrder[] }>('order', `/orders?customerId=${customer}&limit=100`)).items;
      pointsByCustomer[key.customerId] = (await get<{ points: number }>('loyalty', `/loyalty/${customer}`)).points;
    });
    const orderIds = [...new Set(Object.values(ordersByCustomer).flatMap((orders) => orders.map((o) => o.orderId)))];
    const paymentsByOrder: Observations['paymentsByOrder'] = {};
    const notificationsByOrder: Observations['notificationsByOrder'] = {};
    await mapLimit(orderIds, CHECK_CONCURRENCY, async (orderId) => {
      (paymentsByOrder as Record<string, unknown>)[orderId] = (await get<{ items: unknown[] }>('payment', `/payments?orderId=${orderId}&limit=100`)).items;
      (notificationsByOrder as Record<string, unknown>)[orderId] = (await get<{ items: unknown[] }>('notification', `/notifications?orderId=${orderId}&limit=100`)).items;
    });
    const products = await mapLimit(CATALOGUE, CATALOGUE.length, async (item) => {
      const product = await get<{ available: number; reserved: number }>('inventory', `/products/${item.sku}`);
      return { sku: item.sku, initial: item.available, available: product.available, reserved: product.reserved };
    });
    const analytics = await get<Observations['analytics']>('analytics', '/analytics/summary');
    const deadLetters: DeadLetter[] = (await platform.nats.read('DLQ')).map((message) => {
      const event = message.json as { subject?: string; data?: { orderId?: string } } | undefined;
      return {
        subject: message.subject,
        consumer: message.headers['Dlq-Consumer'] ?? '?',
        reason: message.headers['Dlq-Reason'] ?? '?',
        orderId: event?.data?.orderId ?? event?.subject,
      };
    });
    const observations: Observations = {
      keys: outcomes,
      ordersByCustomer,
      paymentsByOrder,
      notificationsByOrder,
      pointsByCustomer,
      products,
      analytics,
      outboxPending: outbox,
      deadLetters,
      unpromptedExits,
    };
    const invariants = checkInvariants(observations);
    const ok = invariants.every((invariant) => invariant.ok);
    const checkMs = Date.now() - checkStart;

    const held = outcomes.flatMap((key) => (ordersByCustomer[key.customerId] ?? []).filter((o) => o.orderId === key.orderId));
    const cancellationReasons: Record<string, number> = {};
    for (const order of held) if (order.status === 'CANCELLED') cancellationReasons[order.cancellationReason ?? '?'] = (cancellationReasons[order.cancellationReason ?? '?'] ?? 0) + 1;
    const batchesKeptForDatabase: Partial<Record<ServiceName, number>> = {};
    for (const service of SERVICES) {
      const text = await readFile(platform.services[service].logFile, 'utf8').catch(() => '');
      // The consumer's warning on the first attempt of each batch it keeps ("attempt":1; LOG_LEVEL warn).
      const kept = text.split('\n').filter((line) => line.includes('database unavailable: batch kept') && line.includes('"attempt":1,')).length;
      if (kept > 0) batchesKeptForDatabase[service] = kept;
    }
    if (!ok) {
      logsDir = join(tmpdir(), `chaos-logs-${storage}${clustered ? '-cluster' : ''}-${seed}-${Date.now()}`);
      await cp(platform.workDir, logsDir, { recursive: true }).catch(() => (logsDir = undefined));
    }
    return {
      storage,
      cluster: clustered,
      seed,
      tenant,
      keys,
      rate: options.rate,
      seconds: options.seconds,
      ackWaitMs,
      faults: records,
      skippedFaults,
      driver: driver.stats,
      orders: {
        accepted: outcomes.filter((key) => key.orderId !== undefined).length,
        confirmed: held.filter((o) => o.status === 'CONFIRMED').length,
        cancelled: held.filter((o) => o.status === 'CANCELLED').length,
        pending: held.filter((o) => o.status === 'PENDING').length,
        cancellationReasons,
      },
      batchesKeptForDatabase,
      invariants,
      ok,
      notes,
      timings: { startMs, ordersMs, terminalMs, settleMs, checkMs, totalMs: Date.now() - t0 },
      ...(logsDir ? { logsDir } : {}),
    };
  } finally {
    watching = false;
    await watch;
    try {
      await tearDown();
    } finally {
      teardowns.delete(tearDown);
    }
  }
}
