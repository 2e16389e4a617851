/**
 * npm run bench:events — the events library beside raw @nats-io/jetstream, in one run, on the
 * local nats-server binary (an isolated instance on a free loopback port, file storage) and the
 * local PostgreSQL (a throw-away schema). Prints each figure, the raw figure and the ratio.
 *
 *  (a) consume + ack through the transport (no-op handler, no database) vs raw consume() + ack():
 *      ConsumerRunner + MessageProcessor; a built Nest microservice on ServerJetStream with a
 *      no-op @HandleEvent handler; the same wired like a service (trace context, metrics,
 *      logger). Each run in a fresh process, interleaved in rounds, median per-round ratio.
 *  (b) outbox relay drain of a 100 000-row backlog vs raw pipelined publish()
 *  (c) commit-to-handled latency at 1 000 events/s vs raw publish-to-consume: the outbox commit,
 *      relay, JetStream and transport path (handler without a database), and (c') the same with
 *      the consumer's inbox transaction on PostgreSQL
 *
 * Options (env): BENCH_MESSAGES (default 100000), BENCH_ROUNDS (default 2, (b)), BENCH_CONSUME_ROUNDS
 * (default 3, (a)), BENCH_CONCURRENCY (256, (a)), BENCH_PHASES (default a,b,c), BENCH_RATE (1000),
 * BENCH_SECONDS (10), BENCH_CHILD_ARGS (extra node flags for the (a) runs), BENCH_CPU_PROFILE (a
 * directory: CPU profile of each (a) run's consuming, <dir>/<side>.cpuprofile),
 * DATABASE_URL (default postgres://root@127.0.0.1:5432/postgres).
 */
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { activeTraceFields, ConsumerRunner, createEnvelope, DeadLetterPublisher, enableTraceContext, type EventEnvelope, EventErrorPassthroughFilter, type EventHandler, EVENTS_SCHEMA_COMPONENT, EventsMetrics, eventsMigrations, HandleEvent, JetStreamPublisher, MessageProcessor, migrate, Outbox, OutboxRelay, PgDatabase, ServerJetStream } from '@platform/events';
import { createPlatformRegistry, orderConfirmedV1 } from '@platform/contracts';
import { startTestNatsServer } from '@platform/events/testing';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { envInteger, envList } from '../lib/env.js';

const MESSAGES = envInteger(process.env, 'BENCH_MESSAGES', 100_000, { min: 1 });
const ROUNDS = envInteger(process.env, 'BENCH_ROUNDS', 2, { min: 1 });
const CONSUME_ROUNDS = envInteger(process.env, 'BENCH_CONSUME_ROUNDS', 3, { min: 1 });
const CONCURRENCY = envInteger(process.env, 'BENCH_CONCURRENCY', 256, { min: 1 });
const PHASES = new Set(envList(process.env, 'BENCH_PHASES', ['a', 'b', 'c']));
const RATE = envInteger(process.env, 'BENCH_RATE', 1000, { min: 1 });
const SECONDS = envInteger(process.env, 'BENCH_SECONDS', 10, { min: 1 });
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/postgres';
const TENANT = 'bench';
const encoder = new TextEncoder();
const registry = createPlatformRegistry();

const sampleEvent = (sequence: number) =>
  createEnvelope({
    type: 'order.confirmed.v1',
    source: 'order',
    subject: `o-${sequence % 1000}`,
    tenantId: TENANT,
    sequence,
    data: { orderId: '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a', customerId: 'c-1', totalCents: 4200, currency: 'EUR' },
  });

async function freshStream(jsm: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  // every phase uses the platform's subject space, so only one bench stream exists at a time
  for (const old of ['BENCH_A', 'BENCH_B', 'BENCH_C']) await jsm.streams.delete(old).catch(() => undefined);
  await jsm.streams.add({ name, subjects, storage: 'file' as never, duplicate_window: 120_000_000_000 });
}

async function addDurable(jsm: JetStreamManager, stream: string, durable: string, filter: string): Promise<void> {
  await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: filter, max_ack_pending: 10_000, max_deliver: 5 });
}

async function fill(js: JetStreamClient, subject: string, payloads: Uint8Array[]): Promise<void> {
  for (let i = 0; i < payloads.length; i += 1000) {
    await Promise.all(payloads.slice(i, i + 1000).map((p) => js.publish(subject, p)));
  }
}

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(label: string, ours: number, raw: number, unit: string, goal: string): void {
  const ratio = raw === 0 ? NaN : ours / raw;
  console.log(`${label.padEnd(44)} ours ${ours.toFixed(unit === 'ms' ? 2 : 0).padStart(9)} ${unit.padEnd(6)} raw ${raw.toFixed(unit === 'ms' ? 2 : 0).padStart(9)} ${unit.padEnd(6)} ratio ${ratio.toFixed(2)}×   goal ${goal}`);
}

// (a) ----------------------------------------------------------------------------------------
// Every consume run is a fresh Node.js process (this script, re-run with BENCH_CONSUME_SIDE), so
// that no side inherits another's heap, JIT state or global context manager (enableTraceContext
// installs one for the whole process). The parent fills one stream once; each run reads it
// through a durable of its own, and the parent checks afterwards that every message was acked.

const CONSUME_SIDES = ['raw', 'runner', 'nest', 'nest-wired'] as const;
type ConsumeSide = (typeof CONSUME_SIDES)[number];

interface ConsumeRun {
  readonly side: ConsumeSide;
  readonly rate: number;
  /** CPU time (user + system) of the consuming process per message, µs: steadier than the rate on a busy machine. */
  readonly cpuUs: number;
}

async function consumeRun(side: ConsumeSide, serverUrl: string, durable: string): Promise<ConsumeRun> {
  const args = [...process.execArgv, ...(process.env['BENCH_CHILD_ARGS']?.split(' ').filter(Boolean) ?? []), fileURLToPath(import.meta.url)];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, BENCH_CONSUME_SIDE: side, BENCH_NATS_URL: serverUrl, BENCH_DURABLE: durable, BENCH_COUNT: String(MESSAGES) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`consume run ${side} exited with ${code}: ${output}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as ConsumeRun;
}

/** After a run: every message acked (ack floor at the last sequence, nothing pending). */
async function assertAllAcked(jsm: JetStreamManager, durable: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const info = await jsm.consumers.info('BENCH_A', durable);
    if (info.num_ack_pending === 0 && info.ack_floor.stream_seq === count) return;
    if (Date.now() > deadline) {
      throw new Error(`${durable}: ack floor ${info.ack_floor.stream_seq} of ${count}, ${info.num_ack_pending} ack pending, ${info.num_pending} pending`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** (a) in rounds: each round runs every side once, in order, on the same stream; ratios are per round. */
async function consumeRounds(serverUrl: string, jsm: JetStreamManager, js: JetStreamClient, payloads: Uint8Array[]): Promise<Map<ConsumeSide, ConsumeRun[]>> {
  await freshStream(jsm, 'BENCH_A', ['orders.>']);
  await fill(js, `orders.${TENANT}.confirmed`, payloads);
  const runs = new Map<ConsumeSide, ConsumeRun[]>(CONSUME_SIDES.map((side) => [side, []]));
  for (let round = 0; round < CONSUME_ROUNDS; round++) {
    for (const side of CONSUME_SIDES) {
      const durable = `${side}-${round}`;
      await addDurable(jsm, 'BENCH_A', durable, 'orders.*.*');
      const run = await consumeRun(side, serverUrl, durable);
      await assertAllAcked(jsm, durable, payloads.length);
      await jsm.consumers.delete('BENCH_A', durable);
      runs.get(side)!.push(run);
    }
  }
  return runs;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function consumeRow(label: string, ours: readonly ConsumeRun[], raw: readonly ConsumeRun[], goal: string): void {
  const ratios = ours.map((run, i) => run.rate / raw[i]!.rate);
  const cpuRatios = ours.map((run, i) => run.cpuUs / raw[i]!.cpuUs);
  const rate = (runs: readonly ConsumeRun[]) => median(runs.map((run) => run.rate)).toFixed(0).padStart(9);
  const cpu = (runs: readonly ConsumeRun[]) => median(runs.map((run) => run.cpuUs)).toFixed(1).padStart(5);
  console.log(
    `${label.padEnd(44)} ours ${rate(ours)} msg/s  raw ${rate(raw)} msg/s  ratio ${median(ratios).toFixed(2)}×   goal ${goal}   (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
  console.log(
    `${''.padEnd(44)} cpu  ${cpu(ours)} µs/msg     raw ${cpu(raw)} µs/msg     ×${median(cpuRatios).toFixed(2)} raw's CPU per message (rounds ${cpuRatios.map((r) => r.toFixed(2)).join(', ')})`,
  );
}

/** The child side of a consume run: consume BENCH_COUNT messages of BENCH_A through BENCH_DURABLE. */
async function consumeChild(side: ConsumeSide): Promise<void> {
  const count = Number(process.env['BENCH_COUNT']);
  const durable = process.env['BENCH_DURABLE']!;
  const nc = await connect({ servers: process.env['BENCH_NATS_URL']!, noAsyncTraces: true });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onHandled = (): void => {
    if (++seen === count) done();
  };
  const profiler = await startProfiler();
  const cpuBefore = process.cpuUsage();
  let started: number;
  let stop: () => Promise<void>;
  if (side === 'raw') {
    const consumer = await jetstream(nc).consumers.get('BENCH_A', durable);
    started = performance.now();
    const messages = await consumer.consume({ max_messages: 512 });
    for await (const m of messages) {
      m.ack();
      onHandled();
      if (seen === count) break;
    }
    stop = () => messages.close().then(() => undefined);
  } else if (side === 'runner') {
    // ConsumerRunner + MessageProcessor, no Nest: decode, validate, executor, no-op handler, ack.
    const js = jetstream(nc);
    const processor = new MessageProcessor({
      consumer: durable,
      registry,
      handlers: new Map<string, EventHandler>([['order.confirmed.v1', async () => onHandled()]]),
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
    });
    const runner = new ConsumerRunner({ js, stream: 'BENCH_A', durable, processor, concurrency: CONCURRENCY });
    started = performance.now();
    runner.start();
    stop = () => runner.stop();
  } else {
    // A built Nest microservice on ServerJetStream with a no-op @HandleEvent handler, no database;
    // 'nest-wired' as a service wires it: trace context, EventsMetrics, a pino logger at info.
    const wired = side === 'nest-wired';
    if (wired) enableTraceContext();
    const server = new ServerJetStream({
      connection: nc,
      consumers: [{ stream: 'BENCH_A', durable, maxDeliver: 5, filterSubject: 'orders.*.*', concurrency: CONCURRENCY }],
      registry,
      ...(wired
        ? {
            metrics: new EventsMetrics(new Registry()),
            logger: pino(
              { level: 'info', base: { service: 'bench', pid: process.pid, context: 'events' }, mixin: () => activeTraceFields() },
              pino.destination('/dev/null'),
            ),
          }
        : {}),
    });
    benchHandled = onHandled;
    const app = await NestFactory.createMicroservice(BenchConsumerModule, { strategy: server, logger: false });
    app.useGlobalFilters(new EventErrorPassthroughFilter());
    await app.init();
    started = performance.now();
    await app.listen();
    stop = () => app.close();
  }
  await finished;
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await profiler?.(side);
  await stop();
  await nc.drain();
  const result: ConsumeRun = { side, rate: perSecond(seen, elapsed), cpuUs: (cpu.user + cpu.system) / seen };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

/**
 * With BENCH_CPU_PROFILE=<dir>, a CPU profile of the consume run only (from before the consumer
 * starts to the last message handled, without process start-up), written to <dir>/<side>.cpuprofile.
 */
async function startProfiler(): Promise<((side: ConsumeSide) => Promise<void>) | undefined> {
  const dir = process.env['BENCH_CPU_PROFILE'];
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (side) => {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${side}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

let benchHandled: () => void = () => undefined;

@Controller()
class BenchConsumerController {
  @HandleEvent(orderConfirmedV1)
  async onConfirmed(@Payload() _event: EventEnvelope): Promise<void> {
    benchHandled();
  }
}

@Module({ controllers: [BenchConsumerController] })
class BenchConsumerModule {}

// (b) ----------------------------------------------------------------------------------------
async function rawPublish(nc: NatsConnection, jsm: JetStreamManager, payloads: Uint8Array[]): Promise<number> {
  const js = jetstream(nc);
  await freshStream(jsm, 'BENCH_B', ['orders.>']);
  const started = performance.now();
  for (let i = 0; i < payloads.length; i += 1000) {
    await Promise.all(payloads.slice(i, i + 1000).map((p, j) => js.publish(`orders.${TENANT}.confirmed`, p, { msgID: `raw-${i + j}` })));
  }
  return perSecond(payloads.length, performance.now() - started);
}

async function relayDrain(nc: NatsConnection, jsm: JetStreamManager, db: PgDatabase, count: number): Promise<number> {
  await freshStream(jsm, 'BENCH_B', ['orders.>']);
  await db.query('TRUNCATE events_outbox');
  // A backlog of real envelopes, written in bulk (the write path is not what (b) measures).
  for (let offset = 0; offset < count; offset += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, count - offset) }, (_, i) => sampleEvent(offset + i + 1));
    await db.query(
      `INSERT INTO events_outbox (event_id, tenant_id, aggregate_id, sequence, subject, type, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])`,
      [
        batch.map((e) => e.id),
        batch.map(() => TENANT),
        batch.map((e) => e.subject),
        batch.map((e) => e.sequence),
        batch.map(() => `orders.${TENANT}.confirmed`),
        batch.map((e) => e.type),
        batch.map((e) => JSON.stringify(e)),
      ],
    );
  }
  const relay = new OutboxRelay({ db, publisher: new JetStreamPublisher(jetstream(nc)), service: `bench-${randomUUID()}` });
  const started = performance.now();
  const published = await relay.drain();
  return perSecond(published, performance.now() - started);
}

// (c) ----------------------------------------------------------------------------------------
async function rawLatency(nc: NatsConnection, jsm: JetStreamManager): Promise<number[]> {
  const js = jetstream(nc);
  await freshStream(jsm, 'BENCH_C', ['orders.>']);
  await addDurable(jsm, 'BENCH_C', 'raw', 'orders.*.*');
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = await js.consumers.get('BENCH_C', 'raw');
  const messages = await consumer.consume({ max_messages: 256 });
  const total = RATE * SECONDS;
  const reading = (async () => {
    for await (const m of messages) {
      const id = m.headers?.get('Nats-Msg-Id') ?? '';
      latencies.push(performance.now() - sentAt.get(id)!);
      m.ack();
      if (latencies.length === total) break;
    }
  })();
  await paced(total, async (i) => {
    const event = sampleEvent(i + 1);
    sentAt.set(event.id, performance.now());
    await js.publish(`orders.${TENANT}.confirmed`, encoder.encode(JSON.stringify(event)), { msgID: event.id });
  });
  await withDeadline(reading, () => `raw latency: ${latencies.length} of ${total} received`);
  await messages.close();
  return latencies.sort((a, b) => a - b);
}

async function oursLatency(nc: NatsConnection, jsm: JetStreamManager, db: PgDatabase, consumerInbox: boolean): Promise<number[]> {
  const js = jetstream(nc);
  await freshStream(jsm, 'BENCH_C', ['orders.>']);
  await addDurable(jsm, 'BENCH_C', 'ours', 'orders.*.*');
  const service = `bench-${randomUUID().slice(0, 8)}`;
  const run = randomUUID().slice(0, 8);
  const outbox = new Outbox({ source: 'order', validator: registry });
  const relay = new OutboxRelay({ db, publisher: new JetStreamPublisher(js), service, outbox, pollIntervalMs: 1000 });
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  const total = RATE * SECONDS;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const handler: EventHandler = async (event) => {
    const at = committedAt.get(event.subject);
    if (at !== undefined) latencies.push(performance.now() - at);
    if (latencies.length === total) done();
  };
  const processor = new MessageProcessor({
    consumer: 'ours',
    registry,
    handlers: new Map([['order.confirmed.v1', handler]]),
    deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
    ...(consumerInbox ? { db } : {}),
  });
  const runner = new ConsumerRunner({ js, stream: 'BENCH_C', durable: 'ours', processor, concurrency: 32 });
  relay.start();
  runner.start();
  await runner.waitUntilConsuming();
  await paced(total, async (i) => {
    const aggregateId = `o-${run}-${i}`;
    await db.transaction((tx) =>
      outbox.append(tx, {
        type: 'order.confirmed.v1',
        tenantId: TENANT,
        aggregateId,
        data: { orderId: '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a', customerId: 'c-1', totalCents: 4200, currency: 'EUR' },
      }),
    );
    committedAt.set(aggregateId, performance.now());
  });
  await withDeadline(finished, () => `latency: ${latencies.length} of ${total} handled (${committedAt.size} committed)`);
  await runner.stop();
  await relay.stop();
  return latencies.sort((a, b) => a - b);
}

/** Wait for `done`, but never longer than the run plus 30 s: a benchmark must not hang. */
async function withDeadline(done: Promise<unknown>, describe: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${describe()}`)), (SECONDS + 30) * 1000);
  });
  try {
    await Promise.race([done, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run `task(i)` for i < total at RATE per second (open loop: tasks are not awaited before the next starts). */
async function paced(total: number, task: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(task(i));
  }
  await Promise.all(pending);
}

async function main(): Promise<void> {
  const server = await startTestNatsServer();
  // The services' connection settings (connectNats): noAsyncTraces, for raw and ours alike.
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const db = PHASES.has('b') || PHASES.has('c') ? await PgDatabase.connect({ connectionString: DATABASE_URL, schema, poolSize: 16 }) : undefined;
  try {
    if (db) await migrate(db, EVENTS_SCHEMA_COMPONENT, eventsMigrations);
    const payloads = Array.from({ length: MESSAGES }, (_, i) => encoder.encode(JSON.stringify(sampleEvent(i + 1))));
    console.log(`nats-server ${server.url} (isolated, file storage)${db ? `, PostgreSQL ${DATABASE_URL} schema ${schema}` : ''}`);
    console.log(`${MESSAGES} messages of ${payloads[0]!.length} B\n`);

    if (PHASES.has('a')) {
      console.log(`(a) ${CONSUME_ROUNDS} rounds of raw, runner, nest, nest-wired, each run a fresh process; concurrency ${CONCURRENCY}; median of the per-round ratios`);
      const runs = await consumeRounds(server.url, jsm, jetstream(nc), payloads);
      const raw = runs.get('raw')!;
      consumeRow('(a) consume + ack, no-op handler', runs.get('runner')!, raw, '>= 0.9x raw');
      consumeRow('(a) Nest ServerJetStream, no-op @HandleEvent', runs.get('nest')!, raw, '>= 0.9x raw');
      consumeRow('(a) Nest wired like a service', runs.get('nest-wired')!, raw, '(trace, metrics, logger)');
    }

    if (db && PHASES.has('b')) {
      console.log(`\n(b) best of ${ROUNDS} interleaved rounds`);
      const best = { rawB: 0, oursB: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        best.rawB = Math.max(best.rawB, await rawPublish(nc, jsm, payloads));
        best.oursB = Math.max(best.oursB, await relayDrain(nc, jsm, db, MESSAGES));
      }
      row('(b) outbox relay drain of the backlog', best.oursB, best.rawB, 'msg/s', '>= 10000 msg/s');
    }

    if (db && PHASES.has('c')) {
      // (c) in a fresh schema: the 100 000-row tables of (b), and their autovacuum, would load the server.
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.query(`CREATE SCHEMA ${schema}`);
      await migrate(db, EVENTS_SCHEMA_COMPONENT, eventsMigrations);
      const raw = await rawLatency(nc, jsm);
      const ours = await oursLatency(nc, jsm, db, false);
      const oursInbox = await oursLatency(nc, jsm, db, true);
      console.log('');
      row(`(c) p50 at ${RATE}/s, commit->handled`, percentile(ours, 50), percentile(raw, 50), 'ms', 'p50 <= 2 ms');
      row(`(c) p99 at ${RATE}/s, commit->handled`, percentile(ours, 99), percentile(raw, 99), 'ms', 'p99 <= 10 ms');
      row(`(c') p50 at ${RATE}/s, + consumer inbox tx`, percentile(oursInbox, 50), percentile(raw, 50), 'ms', '(informative)');
      row(`(c') p99 at ${RATE}/s, + consumer inbox tx`, percentile(oursInbox, 99), percentile(raw, 99), 'ms', '(informative)');
    }
  } finally {
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db?.close();
    await nc.close();
    await server.dispose();
  }
}

const childSide = process.env['BENCH_CONSUME_SIDE'] as ConsumeSide | undefined;
if (childSide !== undefined) {
  if (!CONSUME_SIDES.includes(childSide)) throw new Error(`BENCH_CONSUME_SIDE must be one of ${CONSUME_SIDES.join(', ')}`);
  await consumeChild(childSide);
} else {
  await main();
}
