/**
 * npm run bench:events — the events library beside raw @nats-io/jetstream, in one run, on the
 * local nats-server binary (an isolated instance on a free loopback port, file storage) and the
 * local PostgreSQL (a throw-away schema). Prints each figure, the raw figure and the ratio.
 *
 *  (a) consume + ack through the transport (no-op handler, no database) vs raw consume() + ack()
 *  (b) outbox relay drain of a 100 000-row backlog vs raw pipelined publish()
 *  (c) commit-to-handled latency at 1 000 events/s vs raw publish-to-consume: the outbox commit,
 *      relay, JetStream and transport path (handler without a database), and (c') the same with
 *      the consumer's inbox transaction on PostgreSQL
 *
 * Options (env): BENCH_MESSAGES (default 100000), BENCH_ROUNDS (default 2), BENCH_RATE (1000),
 * BENCH_SECONDS (10), DATABASE_URL (default postgres://root@127.0.0.1:5432/postgres).
 */
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  ConsumerRunner,
  createEnvelope,
  createPlatformRegistry,
  DeadLetterPublisher,
  EVENTS_SCHEMA_COMPONENT,
  eventsMigrations,
  JetStreamPublisher,
  MessageProcessor,
  migrate,
  Outbox,
  OutboxRelay,
  PgDatabase,
  type EventHandler,
} from '@platform/events';
import { startTestNatsServer } from '@platform/events/testing';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
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
async function rawConsume(nc: NatsConnection, jsm: JetStreamManager, payloads: Uint8Array[]): Promise<number> {
  const js = jetstream(nc);
  await freshStream(jsm, 'BENCH_A', ['orders.>']);
  await fill(js, `orders.${TENANT}.confirmed`, payloads);
  await addDurable(jsm, 'BENCH_A', 'raw', 'orders.*.*');
  const consumer = await js.consumers.get('BENCH_A', 'raw');
  const started = performance.now();
  const messages = await consumer.consume({ max_messages: 512 });
  let n = 0;
  for await (const m of messages) {
    m.ack();
    if (++n === payloads.length) break;
  }
  const elapsed = performance.now() - started;
  await messages.close();
  return perSecond(n, elapsed);
}

async function oursConsume(nc: NatsConnection, jsm: JetStreamManager, payloads: Uint8Array[]): Promise<number> {
  const js = jetstream(nc);
  await freshStream(jsm, 'BENCH_A', ['orders.>']);
  await fill(js, `orders.${TENANT}.confirmed`, payloads);
  await addDurable(jsm, 'BENCH_A', 'ours', 'orders.*.*');
  let n = 0;
  let started = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const noop: EventHandler = async () => {
    if (n === 0) started = performance.now();
    if (++n === payloads.length) done();
  };
  const processor = new MessageProcessor({
    consumer: 'ours',
    registry,
    handlers: new Map([['order.confirmed.v1', noop]]),
    deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
  });
  const runner = new ConsumerRunner({ js, stream: 'BENCH_A', durable: 'ours', processor, concurrency: 256 });
  const t0 = performance.now();
  runner.start();
  await finished;
  const elapsed = performance.now() - Math.min(t0, started || t0);
  await runner.stop();
  return perSecond(n, elapsed);
}

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
    const at = committedAt.get(event.id);
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
    const envelope = await db.transaction((tx) =>
      outbox.append(tx, {
        type: 'order.confirmed.v1',
        tenantId: TENANT,
        aggregateId: `o-${run}-${i}`,
        data: { orderId: '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a', customerId: 'c-1', totalCents: 4200, currency: 'EUR' },
      }),
    );
    committedAt.set(envelope.id, performance.now());
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
  const db = await PgDatabase.connect({ connectionString: DATABASE_URL, schema, poolSize: 16 });
  try {
    await migrate(db, EVENTS_SCHEMA_COMPONENT, eventsMigrations);
    const payloads = Array.from({ length: MESSAGES }, (_, i) => encoder.encode(JSON.stringify(sampleEvent(i + 1))));
    console.log(`nats-server ${server.url} (isolated, file storage), PostgreSQL ${DATABASE_URL} schema ${schema}`);
    console.log(`${MESSAGES} messages of ${payloads[0]!.length} B; best of ${ROUNDS} interleaved rounds\n`);

    const best = { rawA: 0, oursA: 0, rawB: 0, oursB: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      best.rawA = Math.max(best.rawA, await rawConsume(nc, jsm, payloads));
      best.oursA = Math.max(best.oursA, await oursConsume(nc, jsm, payloads));
      best.rawB = Math.max(best.rawB, await rawPublish(nc, jsm, payloads));
      best.oursB = Math.max(best.oursB, await relayDrain(nc, jsm, db, MESSAGES));
    }
    row('(a) consume + ack, no-op handler', best.oursA, best.rawA, 'msg/s', '>= 0.8x raw');
    row('(b) outbox relay drain of the backlog', best.oursB, best.rawB, 'msg/s', '>= 10000 msg/s');

    // (c) in a fresh schema: the 100 000-row tables of (b), and their autovacuum, would load the server.
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.query(`CREATE SCHEMA ${schema}`);
    await migrate(db, EVENTS_SCHEMA_COMPONENT, eventsMigrations);
    const raw = await rawLatency(nc, jsm);
    const ours = await oursLatency(nc, jsm, db, false);
    const oursInbox = await oursLatency(nc, jsm, db, true);
    row(`(c) p50 at ${RATE}/s, commit->handled`, percentile(ours, 50), percentile(raw, 50), 'ms', 'p50 <= 2 ms');
    row(`(c) p99 at ${RATE}/s, commit->handled`, percentile(ours, 99), percentile(raw, 99), 'ms', 'p99 <= 10 ms');
    row(`(c') p50 at ${RATE}/s, + consumer inbox tx`, percentile(oursInbox, 50), percentile(raw, 50), 'ms', '(informative)');
    row(`(c') p99 at ${RATE}/s, + consumer inbox tx`, percentile(oursInbox, 99), percentile(raw, 99), 'ms', '(informative)');
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.close();
    await nc.close();
    await server.dispose();
  }
}

await main();
