/**
 * npm run bench:flow — the whole order flow under load: the six services as processes (built
 * `apps/*\/dist`), an isolated nats-server, orders placed over HTTP; once with each service on its
 * own PostgreSQL database and once on embedded PGlite (BENCH_STORAGE). Prints, beside the raw
 * @nats-io/jetstream figures measured in the same run on the same server:
 *
 *  (1) at fixed rates (BENCH_RATES orders/s, default `10,100,300`, each for BENCH_SECONDS, default
 *      20, open loop): POST /orders latency p50/p99, created→terminal latency p50/p99 (createdAt in
 *      the 201 body → the order's order.confirmed/cancelled event seen on the bus), orders terminal
 *      within the window and the backlog (placed, not yet terminal) at half and at the end of the
 *      window: the sustained-rate figure;
 *  (2) at the maximum: BENCH_CONCURRENCY (default 64) clients in a closed loop for BENCH_SECONDS:
 *      orders accepted/s and shed/s (503 + Retry-After: the client waits Retry-After, at most 1 s,
 *      and tries again), orders terminal within the window /s, and the time to drain what was left.
 *
 * For every phase, measured from its start to the end of its drain and divided by its accepted
 * orders: CPU milliseconds per process from /proc/<pid>/stat (the six services, the nats-server,
 * every `postgres` process of the machine's shared server, this process), database statements and
 * transactions per service (their db_statements_total / db_transactions_total on /metrics), and
 * event deliveries (events_consumed_total) per order and per second beside raw durable consume.
 *
 * Errors — any answer other than 201 and 503, any accepted order not CONFIRMED or not terminal
 * after the drain (at most BENCH_DRAIN_SECONDS) — are listed and make the script exit 1.
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nkeyAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { adminQuery } from '@platform/events/testing';
import { type PlatformTestNats } from '@platform/events-ops/testing';
import { testAuth } from '@platform/service-kit/testing';
import { Platform, request, SERVICES, type ServiceName } from '../../e2e/harness/platform.js';
import { envInteger, envIntegerList, envList } from '../lib/env.js';

type Storage = 'postgres' | 'pglite';
/** Fixed arrival rates, orders/s: one the machine holds, the latency goal's 100/s and the sustained goal's 300/s. */
const RATES = envIntegerList(process.env, 'BENCH_RATES', [10, 100, 300], { min: 1 });
const SECONDS = envInteger(process.env, 'BENCH_SECONDS', 20, { min: 1 });
const CONCURRENCY = envInteger(process.env, 'BENCH_CONCURRENCY', 64, { min: 1 });
/** Extra node flags for the six services (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), space-separated. */
const SERVICE_NODE_ARGS = (process.env['BENCH_SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const STORAGES = envList(process.env, 'BENCH_STORAGE', ['postgres', 'pglite']) as Storage[];
/** The PGlite pass (what a first-time user runs): its own rates, shorter by default. */
const PGLITE_RATES = envIntegerList(process.env, 'BENCH_PGLITE_RATES', [10, 100], { min: 1 });
const PGLITE_SECONDS = envInteger(process.env, 'BENCH_PGLITE_SECONDS', Math.min(10, SECONDS), { min: 1 });
/** Longest wait for a phase's accepted orders to become terminal; later phases of the pass are skipped after a timeout. */
const DRAIN_SECONDS = envInteger(process.env, 'BENCH_DRAIN_SECONDS', 90, { min: 1 });
/** A shed client (503) waits Retry-After, at most this long, before its next attempt. */
const RETRY_AFTER_CAP_MS = 1000;
const TENANT = 'bench';
/** Orders spread over this many products, as a catalogue would (one hot row would measure its lock). */
const PRODUCTS = 20;
const skuOf = (i: number) => `SKU-BENCH-${String(i % PRODUCTS).padStart(2, '0')}`;
const CPU_GOAL_MS = 7;
/** Seconds without orders after the warm-up, to measure the platform's idle CPU. */
const IDLE_SECONDS = 5;

for (const storage of STORAGES) if (storage !== 'postgres' && storage !== 'pglite') throw new Error(`BENCH_STORAGE: unknown storage "${storage}" (postgres, pglite)`);
if ([...RATES, ...PGLITE_RATES, SECONDS, PGLITE_SECONDS, CONCURRENCY, DRAIN_SECONDS].some((n) => !Number.isFinite(n) || n <= 0)) {
  throw new Error('BENCH_RATES, BENCH_PGLITE_RATES, BENCH_SECONDS, BENCH_PGLITE_SECONDS, BENCH_CONCURRENCY and BENCH_DRAIN_SECONDS must be positive numbers');
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
const p5099 = (values: number[]) => `${fmt(percentile(values, 50), 2)} ms / ${percentile(values, 99).toFixed(2)} ms`;

// ---------------------------------------------------------------------------------------------
// CPU time from /proc

const CLK_TCK = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  readonly comm: string;
  /** utime + stime, ms. */
  readonly own: number;
  /** cutime + cstime, ms: children that exited and were waited for (PostgreSQL's backends, in the postmaster). */
  readonly children: number;
}

function procStat(pid: number | 'self'): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' '); // fields[0] is field 3 (state)
  const ms = (index: number) => (Number(fields[index]) * 1000) / CLK_TCK;
  return { comm, own: ms(11) + ms(12), children: ms(13) + ms(14) };
}

const pids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/**
 * CPU of every `postgres` process of the machine, ms: utime+stime of the live ones plus
 * cutime+cstime (the postmaster's exited backends), so that a connection closed during a phase
 * still counts. It is the shared server: other users' work is in it too.
 */
function postgresCpu(): number {
  let total = 0;
  for (const pid of pids()) {
    const stat = procStat(pid);
    if (stat?.comm === 'postgres') total += stat.own + stat.children;
  }
  return total;
}

/** The harness's nats-server: the process whose command line has `nats-server … -p <port>`. */
/** The harness's nats-server: started with `-p <port>`, or with `-c <its store>/nats.conf` (the platform's identities). */
function natsPid(port: number, storeDir: string): number | undefined {
  for (const pid of pids()) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((arg) => arg.endsWith('nats-server')) && (args.includes(String(port)) || args.some((arg) => arg.startsWith(storeDir)))) return pid;
    } catch {
      // gone
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Service metrics (/metrics) and PostgreSQL's own statistics

/** Sum of the samples of `name` whose labels include `label` (e.g. `outcome="commit"`). */
function sumOf(text: string, name: string, label?: string): number {
  let total = 0;
  for (const sample of text.split('\n')) {
    if (!sample.startsWith(name) || (sample[name.length] !== '{' && sample[name.length] !== ' ')) continue;
    if (label && !sample.includes(label)) continue;
    total += Number(sample.slice(sample.lastIndexOf(' ') + 1));
  }
  return total;
}

interface ServiceCounters {
  readonly statements: number;
  readonly txStatements: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly consumed: number;
}

async function serviceCounters(platform: Platform, service: ServiceName): Promise<ServiceCounters> {
  const text = await (await fetch(`${platform.url(service)}/metrics`)).text();
  return {
    statements: sumOf(text, 'db_statements_total'),
    txStatements: sumOf(text, 'db_statements_total', 'scope="transaction"'),
    commits: sumOf(text, 'db_transactions_total', 'outcome="commit"'),
    rollbacks: sumOf(text, 'db_transactions_total', 'outcome="rollback"'),
    consumed: sumOf(text, 'events_consumed_total'),
  };
}

/** xact_commit + xact_rollback of the services' databases (PostgreSQL flushes them about once a second per backend). */
async function pgXacts(databases: readonly string[]): Promise<number | undefined> {
  if (databases.length === 0) return undefined;
  const rows = await adminQuery<{ n: string }>('SELECT sum(xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = ANY($1)', [databases]);
  return Number(rows[0]?.n ?? 0);
}

interface Snapshot {
  readonly at: number;
  readonly cpu: Record<ServiceName | 'nats' | 'postgres' | 'bench', number>;
  readonly counters: Record<ServiceName, ServiceCounters>;
  readonly pgXacts?: number;
}

async function snapshot(platform: Platform, natsProcess: number | undefined): Promise<Snapshot> {
  const counters = {} as Record<ServiceName, ServiceCounters>;
  for (const service of SERVICES) counters[service] = await serviceCounters(platform, service);
  const cpu = {} as Snapshot['cpu'];
  for (const service of SERVICES) cpu[service] = procStat(platform.services[service].pid ?? -1)?.own ?? NaN;
  cpu.nats = natsProcess === undefined ? NaN : (procStat(natsProcess)?.own ?? NaN);
  cpu.postgres = postgresCpu();
  cpu.bench = procStat('self')!.own;
  return { at: performance.now(), cpu, counters, pgXacts: await pgXacts(platform.databaseNames) };
}

// ---------------------------------------------------------------------------------------------
// Raw @nats-io/jetstream figures

interface RawFigures {
  readonly publish: number;
  readonly consume: number;
  readonly p50: number;
  readonly p99: number;
}

async function rawFigures(nats: PlatformTestNats): Promise<RawFigures> {
  // The raw client as the unrestricted operator identity (the test server refuses anonymous connections).
  const seed = new TextEncoder().encode((await readFile(nats.seedFile('operator'), 'utf8')).trim());
  const nc = await connect({ servers: nats.url, noAsyncTraces: true, authenticator: nkeyAuthenticator(seed) });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const payload = new Uint8Array(256).fill(120);
  const count = 50_000;
  await jsm.streams.add({ name: 'RAW_BENCH', subjects: ['rawbench.>'], storage: 'file' as never });
  try {
    let start = performance.now();
    for (let i = 0; i < count; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, () => js.publish('rawbench.a', payload)));
    }
    const publish = count / ((performance.now() - start) / 1000);

    await jsm.consumers.add('RAW_BENCH', { durable_name: 'raw', ack_policy: AckPolicy.Explicit, filter_subject: 'rawbench.a' });
    const consumer = await js.consumers.get('RAW_BENCH', 'raw');
    start = performance.now();
    const messages = await consumer.consume({ max_messages: 512 });
    let seen = 0;
    for await (const message of messages) {
      message.ack();
      if (++seen === count) break;
    }
    const consume = count / ((performance.now() - start) / 1000);

    await jsm.consumers.add('RAW_BENCH', { durable_name: 'lat', ack_policy: AckPolicy.Explicit, filter_subject: 'rawbench.lat' });
    const latConsumer = await js.consumers.get('RAW_BENCH', 'lat');
    const latencies: number[] = [];
    const total = 3000;
    const done = (async () => {
      const stream = await latConsumer.consume({ max_messages: 256 });
      for await (const message of stream) {
        latencies.push(performance.now() - Number(new TextDecoder().decode(message.data)));
        message.ack();
        if (latencies.length === total) break;
      }
    })();
    const begin = performance.now();
    for (let i = 0; i < total; i++) {
      const due = begin + i; // 1 000 msg/s
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      void js.publish('rawbench.lat', new TextEncoder().encode(String(performance.now())));
    }
    await done;
    return { publish, consume, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await jsm.streams.delete('RAW_BENCH').catch(() => undefined);
    await nc.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Placing orders

interface Tracker {
  readonly created: Map<string, number>;
  readonly terminal: Map<string, { at: number; status: string }>;
}

/** One phase's orders and answers. */
class PhaseOrders {
  readonly ids = new Set<string>();
  /** POST latency of accepted (201) and shed (503) answers. */
  readonly acceptedPost: number[] = [];
  readonly shedPost: number[] = [];
  readonly errors: string[] = [];
  sent = 0;
  shed = 0;
  errorAnswers = 0;

  constructor(private readonly tracker: Tracker) {}

  /** Placed and not yet terminal (POSTs in flight included; shed and failed ones excluded). */
  backlog(): number {
    let open = this.sent - this.ids.size - this.shed - this.errorAnswers;
    for (const id of this.ids) if (!this.tracker.terminal.has(id)) open++;
    return open;
  }
}

type Answer = { readonly kind: 'accepted' } | { readonly kind: 'shed'; readonly retryAfterMs: number } | { readonly kind: 'error' };

/** Retry-After in seconds or as an HTTP date, capped at RETRY_AFTER_CAP_MS (the cap when absent). */
function retryAfterMs(header: string | null): number {
  if (header === null) return RETRY_AFTER_CAP_MS;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, Number.isFinite(ms) ? ms : RETRY_AFTER_CAP_MS));
}

// One customer token per customer (the per-token rate limit of POST /orders is per customer, as in
// production), valid for the whole run.
const TOKEN_TTL_S = 6 * 3600;
const customerTokens = new Map<string, string>();
function customerTokenOf(customerId: string): string {
  let token = customerTokens.get(customerId);
  if (token === undefined) {
    token = testAuth().token({ tenant: TENANT, roles: ['customer'], sub: customerId, ttlSeconds: TOKEN_TTL_S });
    customerTokens.set(customerId, token);
  }
  return token;
}

async function placeOrder(platform: Platform, tracker: Tracker, phase: PhaseOrders): Promise<Answer> {
  const started = performance.now();
  const customerId = `c-${Math.floor(Math.random() * 1000)}`;
  phase.sent++;
  try {
    const response = await request(`${platform.url('order')}/orders`, {
      method: 'POST',
      tenant: TENANT,
      token: customerTokenOf(customerId),
      body: { customerId, items: [{ sku: skuOf(Math.floor(Math.random() * PRODUCTS)), quantity: 1 }], paymentToken: 'tok_visa' },
    });
    const elapsed = performance.now() - started;
    if (response.status === 201) {
      phase.acceptedPost.push(elapsed);
      tracker.created.set(response.body.orderId, Date.parse(response.body.createdAt));
      phase.ids.add(response.body.orderId);
      return { kind: 'accepted' };
    }
    if (response.status === 503) {
      phase.shedPost.push(elapsed);
      phase.shed++;
      return { kind: 'shed', retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
    }
    phase.errorAnswers++;
    phase.errors.push(`POST ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}`);
  } catch (error) {
    phase.errorAnswers++;
    phase.errors.push(`POST failed: ${(error as Error).message}`);
  }
  return { kind: 'error' };
}

/** Wait until every accepted order of the phase is terminal, at most `timeoutMs`; the time waited. */
async function waitForTerminal(tracker: Tracker, ids: ReadonlySet<string>, timeoutMs: number): Promise<{ ms: number; drained: boolean }> {
  const start = performance.now();
  const open = new Set(ids);
  for (;;) {
    for (const id of open) if (tracker.terminal.has(id)) open.delete(id);
    if (open.size === 0) return { ms: performance.now() - start, drained: true };
    if (performance.now() - start > timeoutMs) return { ms: performance.now() - start, drained: false };
    await sleep(20);
  }
}

function flowLatencies(tracker: Tracker, ids: Iterable<string>): number[] {
  const result: number[] = [];
  for (const id of ids) {
    const terminal = tracker.terminal.get(id);
    const created = tracker.created.get(id);
    if (terminal && created !== undefined) result.push(terminal.at - created);
  }
  return result;
}

function outcomeErrors(tracker: Tracker, ids: Iterable<string>): string[] {
  const errors: string[] = [];
  for (const id of ids) {
    const terminal = tracker.terminal.get(id);
    if (!terminal) errors.push(`order ${id} never reached a terminal state`);
    else if (terminal.status !== 'confirmed') errors.push(`order ${id} ${terminal.status}`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Phases

interface PhaseResult {
  readonly title: string;
  readonly kind: 'fixed' | 'max';
  readonly rate?: number;
  readonly orders: PhaseOrders;
  /** Seconds of the window (arrivals), and to the end of the drain. */
  readonly windowSeconds: number;
  readonly drainMs: number;
  readonly drained: boolean;
  readonly terminalInWindow: number;
  readonly backlogHalf: number;
  readonly backlogEnd: number;
  readonly flow: number[];
  readonly before: Snapshot;
  readonly after: Snapshot;
  /** Platform CPU while no order flows, ms per second (polls, sweeps, heartbeats). */
  readonly idle: number;
}

interface PassContext {
  readonly platform: Platform;
  readonly tracker: Tracker;
  readonly natsProcess: number | undefined;
  readonly seconds: number;
  readonly idle: number;
}

/** Before a phase: snapshot; after its window: wait for its orders, the consumers to settle, snapshot. */
async function finishPhase(
  context: PassContext,
  fields: Omit<PhaseResult, 'drainMs' | 'drained' | 'terminalInWindow' | 'flow' | 'after'> & { readonly windowEnd: number; readonly windowEndPerf: number },
): Promise<PhaseResult> {
  const { tracker, platform } = context;
  const { orders, windowEnd, windowEndPerf, ...rest } = fields;
  const terminalInWindow = [...orders.ids].filter((id) => (tracker.terminal.get(id)?.at ?? Infinity) <= windowEnd).length;
  const budget = DRAIN_SECONDS * 1000 - (performance.now() - windowEndPerf);
  let { drained } = await waitForTerminal(tracker, orders.ids, budget);
  if (drained) {
    try {
      await platform.settled(Math.max(5_000, DRAIN_SECONDS * 1000 - (performance.now() - windowEndPerf)));
    } catch (error) {
      drained = false;
      orders.errors.push(`the flow did not settle: ${(error as Error).message}`);
    }
  }
  // From the end of the window (answers still in flight then included) to the last terminal order and settled consumers.
  const drainMs = performance.now() - windowEndPerf;
  orders.errors.push(...outcomeErrors(tracker, orders.ids));
  const after = await snapshot(platform, context.natsProcess);
  return { ...rest, orders, drainMs, drained, terminalInWindow, flow: flowLatencies(tracker, orders.ids), after };
}

/** Place `rate` orders per second for the window (open loop: a slow answer does not slow the arrivals; a shed order is not retried). */
async function fixedRate(context: PassContext, rate: number): Promise<PhaseResult> {
  const { platform, tracker, seconds } = context;
  const orders = new PhaseOrders(tracker);
  const before = await snapshot(platform, context.natsProcess);
  const begin = performance.now();
  const inflight: Promise<Answer>[] = [];
  let backlogHalf = NaN;
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (Number.isNaN(backlogHalf) && due - begin >= (seconds * 1000) / 2) backlogHalf = orders.backlog();
    inflight.push(placeOrder(platform, tracker, orders));
  }
  const windowLeft = begin + seconds * 1000 - performance.now();
  if (windowLeft > 0) await sleep(windowLeft);
  const windowEnd = Date.now();
  const windowEndPerf = performance.now();
  const backlogEnd = orders.backlog();
  const windowSeconds = (windowEndPerf - begin) / 1000;
  await Promise.all(inflight);
  const title = `fixed rate ${rate} orders/s for ${seconds} s`;
  return finishPhase(context, { title, kind: 'fixed', rate, orders, windowSeconds, windowEnd, windowEndPerf, backlogHalf, backlogEnd, before, idle: context.idle });
}

/** CONCURRENCY clients in a closed loop; a shed client waits Retry-After (capped) before its next attempt. */
async function maximum(context: PassContext): Promise<PhaseResult> {
  const { platform, tracker, seconds } = context;
  const orders = new PhaseOrders(tracker);
  const before = await snapshot(platform, context.natsProcess);
  const begin = performance.now();
  const endAt = begin + seconds * 1000;
  let backlogHalf = NaN;
  const half = sleep((seconds * 1000) / 2).then(() => (backlogHalf = orders.backlog()));
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < endAt) {
        const answer = await placeOrder(platform, tracker, orders);
        if (answer.kind === 'shed') await sleep(Math.min(answer.retryAfterMs, Math.max(0, endAt - performance.now())));
      }
    }),
  );
  await half;
  const windowEnd = Date.now();
  const windowEndPerf = performance.now();
  const backlogEnd = orders.backlog();
  const windowSeconds = (windowEndPerf - begin) / 1000;
  const title = `maximum, ${CONCURRENCY} clients for ${seconds} s`;
  return finishPhase(context, { title, kind: 'max', orders, windowSeconds, windowEnd, windowEndPerf, backlogHalf, backlogEnd, before, idle: context.idle });
}

// ---------------------------------------------------------------------------------------------
// Report

function printCosts(storage: Storage, phase: PhaseResult, raw: RawFigures): void {
  const { before, after } = phase;
  const accepted = phase.orders.ids.size;
  const seconds = (after.at - before.at) / 1000;
  const per = (value: number) => (accepted === 0 ? NaN : value / accepted);
  const cpu = (key: keyof Snapshot['cpu']) => after.cpu[key] - before.cpu[key];
  const counter = (service: ServiceName, key: keyof ServiceCounters) => after.counters[service][key] - before.counters[service][key];
  console.log(`  per accepted order, from the phase's start to the end of its drain (${accepted} orders, ${seconds.toFixed(1)} s):`);
  console.log(`    ${'process'.padEnd(54)} ${'CPU ms'.padStart(9)}${'statements (in tx)'.padStart(21)}${'transactions'.padStart(15)}`);
  const dbColumns = (db: { statements: number; txStatements: number; transactions: number }) =>
    `   ${fmt(per(db.statements), 1)} (${per(db.txStatements).toFixed(1).padStart(5)})${fmt(per(db.transactions), 1).padStart(15)}`;
  const row = (label: string, cpuMs: number, db?: { statements: number; txStatements: number; transactions: number }) =>
    console.log(`    ${label.padEnd(54)} ${fmt(per(cpuMs), 2)}${db ? dbColumns(db) : ''}`);
  let services = 0;
  const totals = { statements: 0, txStatements: 0, transactions: 0, rollbacks: 0, consumed: 0 };
  for (const service of SERVICES) {
    const db = { statements: counter(service, 'statements'), txStatements: counter(service, 'txStatements'), transactions: counter(service, 'commits') + counter(service, 'rollbacks') };
    totals.statements += db.statements;
    totals.txStatements += db.txStatements;
    totals.transactions += db.transactions;
    totals.rollbacks += counter(service, 'rollbacks');
    totals.consumed += counter(service, 'consumed');
    services += cpu(service);
    row(service, cpu(service), db);
  }
  row('nats-server (the harness\'s)', cpu('nats'));
  const postgresLabel = storage === 'postgres' ? 'PostgreSQL (every postgres process: shared server)' : 'PostgreSQL (not used by this pass: other users)';
  row(postgresLabel, cpu('postgres'));
  const platformCpu = services + cpu('nats') + (storage === 'postgres' ? cpu('postgres') : 0);
  const idleShare = (phase.idle * seconds) / platformCpu;
  row('bench (this process: HTTP client, bus subscription)', cpu('bench'));
  console.log(
    `    ${('total of the platform (services, nats' + (storage === 'postgres' ? ', PostgreSQL)' : ')')).padEnd(54)} ${fmt(per(platformCpu), 2)}${dbColumns(totals)}   goal CPU <= ${CPU_GOAL_MS} ms`,
  );
  row('total with the bench process', platformCpu + cpu('bench'));
  line('  of the platform CPU, idle background (polls, sweeps)', `${fmt(per(phase.idle * seconds), 2)} ms per order = ${(idleShare * 100).toFixed(0)}% (idle ${phase.idle.toFixed(0)} ms/s)`);
  const cores = availableParallelism();
  line(`  CPU-bound ceiling: ${cores} cores / platform CPU per order`, `${fmt((cores * 1000) / per(platformCpu))} orders/s`);
  if (totals.rollbacks > 0) line('  rolled-back transactions', `${fmt(totals.rollbacks, 0)} (${(totals.rollbacks / accepted).toFixed(2)} per order)`);
  if (after.pgXacts !== undefined && before.pgXacts !== undefined) {
    // PostgreSQL's own count: each autocommit statement is a transaction of its own there; flushed about once a second per backend.
    line("  PostgreSQL's count: pg_stat_database xacts per order", `${fmt(per(after.pgXacts - before.pgXacts), 1)}   (≈ transactions + statements outside them)`);
  }
  const deliveries = totals.consumed / seconds;
  line('  event deliveries (events_consumed_total) per order', fmt(per(totals.consumed), 1));
  line('  event deliveries/s (measured) vs raw durable consume', `${fmt(deliveries, 0)} /s = ${(deliveries / raw.consume).toFixed(3)}× raw`);
}

function printPhase(storage: Storage, label: string, phase: PhaseResult, raw: RawFigures): void {
  const { orders } = phase;
  const accepted = orders.ids.size;
  console.log(`\n${label} ${phase.title} (${accepted} orders accepted, ${orders.shed} shed, ${orders.errors.length} errors)`);
  const terminalRate = phase.terminalInWindow / phase.windowSeconds;
  const allPost = [...orders.acceptedPost, ...orders.shedPost];
  if (phase.kind === 'fixed') {
    const rate = phase.rate!;
    line('  achieved POST rate', `${fmt(accepted / phase.windowSeconds)} orders/s`);
    line('  POST /orders p50 / p99', `${p5099(orders.acceptedPost)}` + (rate === 100 ? '   goal p99 <= 50 ms at 100/s' : ''));
    if (orders.shed > 0) line('  POST answered 503 (shed) p50 / p99', p5099(orders.shedPost));
    line('  created→terminal p50 / p99', `${p5099(phase.flow)}   goal p99 <= 250 ms at 100/s`);
    line('  ratio to raw publish→consume p50 / p99', `${fmt(percentile(phase.flow, 50) / raw.p50, 1)}× / ${(percentile(phase.flow, 99) / raw.p99).toFixed(1)}×`);
    line('  orders terminal within the window', `${fmt(terminalRate)} orders/s = ${(terminalRate / rate).toFixed(2)}× the arrival rate`);
    line('  backlog (placed, not terminal) at ½ window / at its end', `${fmt(phase.backlogHalf, 0)} / ${phase.backlogEnd} orders`);
    // Sustained: arrivals kept, nothing shed or failed, nearly every order terminal within the
    // window, and the backlog at the end no more than what a 250 ms flow keeps in flight.
    const held = orders.errors.length === 0 && orders.shed === 0 && terminalRate >= 0.95 * rate && phase.backlogEnd <= Math.max(5, rate * 0.25) && phase.drained;
    line(`  sustained ${rate} orders/s`, `${held ? '      yes' : '       no'}   goal >= 300 orders/s (${storage})`);
  } else {
    line('  orders accepted (POST 201)', `${fmt(accepted / phase.windowSeconds)} orders/s`);
    line(`  orders shed (503; retried after Retry-After <= ${RETRY_AFTER_CAP_MS / 1000} s)`, `${fmt(orders.shed / phase.windowSeconds)} /s`);
    line('  orders terminal within the window (sustained)', `${fmt(terminalRate)} orders/s   goal >= 300 orders/s`);
    line('  backlog (placed, not terminal) at ½ window / at its end', `${fmt(phase.backlogHalf, 0)} / ${phase.backlogEnd} orders`);
    line('  backlog drained after the window in', `${fmt(phase.drainMs / 1000, 2)} s`);
    line('  throughput to the last terminal order (window + drain)', `${fmt(accepted / (phase.windowSeconds + phase.drainMs / 1000))} orders/s`);
    line('  POST /orders p50 / p99 (accepted)', p5099(orders.acceptedPost));
    line('  POST /orders p50 / p99 (every answer)', `${p5099(allPost)}   goal p99 <= 1 s above capacity`);
    line('  created→terminal p50 / p99', p5099(phase.flow));
  }
  if (phase.kind === 'fixed') line('  drained after the window in', `${fmt(phase.drainMs / 1000, 2)} s`);
  printCosts(storage, phase, raw);
}

// ---------------------------------------------------------------------------------------------

async function runPass(storage: Storage, rawIn: RawFigures | undefined): Promise<{ raw: RawFigures; errors: string[] }> {
  const rates = storage === 'postgres' ? RATES : PGLITE_RATES;
  const seconds = storage === 'postgres' ? SECONDS : PGLITE_SECONDS;
  const where = storage === 'postgres' ? 'each on its own PostgreSQL database (shared server)' : 'each on embedded PGlite (DATA_DIR under a temp folder)';
  console.log(`\n=== ${storage}: six services ${where}; rates ${rates.join(', ')}/s and max (${CONCURRENCY} clients), ${seconds} s each`);
  const platform = await Platform.start({ storage, env: { LOG_LEVEL: 'warn', INVENTORY_SEED_DEMO: 'false' }, nodeArgs: SERVICE_NODE_ARGS });
  try {
    const raw = rawIn ?? (await rawFigures(platform.nats));
    for (let i = 0; i < PRODUCTS; i++) {
      const put = await request(`${platform.url('inventory')}/products/${skuOf(i)}`, { method: 'PUT', tenant: TENANT, token: testAuth().token({ tenant: TENANT, roles: ['operator'], ttlSeconds: TOKEN_TTL_S }), body: { name: `Bench item ${i}`, priceCents: 150, available: 1_000_000_000 } });
      if (put.status !== 201 && put.status !== 200) throw new Error(`could not create the bench product: ${put.status}`);
    }
    await platform.settled();

    const tracker: Tracker = { created: new Map(), terminal: new Map() };
    const nc = await platform.nats.connect();
    const subscription = nc.subscribe(`orders.${TENANT}.*`, {
      callback: (_error, message) => {
        const type = message.subject.split('.')[2];
        if (type !== 'confirmed' && type !== 'cancelled') return;
        const orderId = (message.json() as { data: { orderId: string } }).data.orderId;
        if (!tracker.terminal.has(orderId)) tracker.terminal.set(orderId, { at: Date.now(), status: type });
      },
    });
    const natsProcess = natsPid(platform.nats.port, platform.nats.storeDir);

    // Warm-up: JIT, connection pools, prepared plans (shed answers are fine here).
    const warm = new PhaseOrders(tracker);
    await Promise.all(Array.from({ length: 200 }, () => placeOrder(platform, tracker, warm)));
    await waitForTerminal(tracker, warm.ids, 120_000);
    await platform.settled(120_000);

    // Idle: what the platform spends with no order flowing, to tell apart from the per-order cost.
    const idleBefore = await snapshot(platform, natsProcess);
    await sleep(IDLE_SECONDS * 1000);
    const idleAfter = await snapshot(platform, natsProcess);
    const idleCpu = (keys: ReadonlyArray<keyof Snapshot['cpu']>) => keys.reduce((sum, key) => sum + idleAfter.cpu[key] - idleBefore.cpu[key], 0) / ((idleAfter.at - idleBefore.at) / 1000);
    const idle = idleCpu([...SERVICES, 'nats', ...(storage === 'postgres' ? (['postgres'] as const) : [])]);
    const context: PassContext = { platform, tracker, natsProcess, seconds, idle };

    const phases: Array<{ label: string; phase: PhaseResult }> = [];
    let skipped: string | undefined;
    for (const rate of rates) {
      const phase = await fixedRate(context, rate);
      phases.push({ label: '(1)', phase });
      if (!phase.drained) {
        skipped = `the ${rate}/s phase did not drain within BENCH_DRAIN_SECONDS=${DRAIN_SECONDS}: the later phases of this pass were skipped`;
        break;
      }
    }
    if (!skipped) phases.push({ label: '(2)', phase: await maximum(context) });
    subscription.unsubscribe();
    await nc.close();

    if (rawIn) console.log('\nraw @nats-io/jetstream: see the first pass (same binary and machine)');
    else {
      console.log('\nraw @nats-io/jetstream on the same server (256 B, file storage, one Node process)');
      line('  pipelined publish', `${fmt(raw.publish, 0)} msg/s`);
      line('  durable pull consume + ack', `${fmt(raw.consume, 0)} msg/s`);
      line('  publish→consume at 1000 msg/s p50 / p99', `${fmt(raw.p50, 2)} ms / ${raw.p99.toFixed(2)} ms`);
    }
    line(`\n[${storage}] platform CPU while idle (${IDLE_SECONDS} s, no orders)`, `${fmt(idle, 0)} ms/s   (services ${idleCpu(SERVICES).toFixed(0)}, nats ${idleCpu(['nats']).toFixed(0)}, postgres processes ${idleCpu(['postgres']).toFixed(0)})`);
    for (const { label, phase } of phases) printPhase(storage, `${label} [${storage}]`, phase, raw);
    if (skipped) console.log(`\n[${storage}] ${skipped}`);
    return { raw, errors: [...phases.flatMap(({ phase }) => phase.orders.errors), ...(skipped ? [`[${storage}] ${skipped}`] : [])] };
  } finally {
    await platform.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:flow — six services on ${STORAGES.join(' then ')}; CPU from /proc (CLK_TCK ${CLK_TCK}, ${availableParallelism()} cores); shed = 503, retried after Retry-After (<= ${RETRY_AFTER_CAP_MS} ms) in the closed loop`,
  );
  let raw: RawFigures | undefined;
  const errors: string[] = [];
  for (const storage of STORAGES) {
    const pass = await runPass(storage, raw);
    raw = pass.raw;
    errors.push(...pass.errors);
  }
  if (errors.length > 0) {
    console.log(`\nerrors (${errors.length}), first 10:`);
    for (const error of errors.slice(0, 10)) console.log(`  ${error}`);
    process.exitCode = 1;
  }
}

await main();
