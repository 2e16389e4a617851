import { AckPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadLetterPublisher, DlqHeader } from '../dlq/dead-letter.js';
import { DeadLetterQueue } from '../dlq/dead-letter-queue.js';
import { MaxDeliveriesAdvisoryListener } from '../dlq/max-deliveries.advisory.js';
import { PermanentError, RetryableError } from '../errors.js';
import { EventsMetricName, EventsMetrics } from '../metrics/events.metrics.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { Database } from '../storage/database.js';
import { createTestPgDatabase, TEST_DATABASE_URL } from '../testing/databases.js';
import {
  addOrderTestStreams,
  migrateEventsSchema,
  numberedOrderEvent,
  numberedOrderRegistry,
  ORDERS_TEST_STREAM as STREAM,
  publishOrderEvent,
  removeOrderTestStreams,
  TEST_TENANT as TENANT,
} from '../testing/event-fixtures.js';
import { startTestJetStream, type TestJetStream } from '../testing/nats-server.js';
import { readStream } from '../testing/stream-reader.js';
import { ConsumerRunner } from './consumer-runner.js';
import { MessageProcessor, type EventHandler, type MessageProcessorOptions } from './message-processor.js';

const encoder = new TextEncoder();

let bus: TestJetStream;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  bus = await startTestJetStream();
  ({ js, jsm } = bus);
});

afterAll(() => bus?.close());

const strictRegistry = numberedOrderRegistry;

interface Harness {
  db: Database;
  durable: string;
  runners: ConsumerRunner[];
  dlq: DeadLetterQueue;
}

describe('JetStream consumer transport', () => {
  const h = {} as Harness;
  let cleanupDb: () => Promise<void>;

  beforeEach(async () => {
    ({ db: h.db, cleanup: cleanupDb } = await createTestPgDatabase());
    await migrateEventsSchema(h.db);
    await h.db.query('CREATE TABLE effects (event_id uuid NOT NULL, aggregate_id text NOT NULL, sequence int NOT NULL, applied_at timestamptz DEFAULT clock_timestamp())');
    await h.db.query('CREATE TABLE totals (applied int NOT NULL)');
    await h.db.query('INSERT INTO totals VALUES (0)');
    h.durable = `test-${randomUUID().slice(0, 8)}`;
    h.runners = [];
    await addOrderTestStreams(jsm);
    h.dlq = new DeadLetterQueue({ js, jsm, publisher: new JetStreamPublisher(js) });
  });

  afterEach(async () => {
    await Promise.all(h.runners.map((runner) => runner.stop()));
    await removeOrderTestStreams(jsm);
    await cleanupDb();
  });

  const addConsumer = (config: { maxDeliver?: number; maxAckPending?: number; ackWaitMs?: number } = {}) =>
    jsm.consumers.add(STREAM, {
      durable_name: h.durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'orders.*.*',
      max_deliver: config.maxDeliver ?? 5,
      max_ack_pending: config.maxAckPending ?? 1000,
      ack_wait: (config.ackWaitMs ?? 30_000) * 1_000_000,
    });


  const recordingHandler: EventHandler = async (event, context) => {
    await context.transaction.query('INSERT INTO effects (event_id, aggregate_id, sequence) VALUES ($1, $2, $3)', [event.id, event.subject, event.sequence]);
    await context.transaction.query('UPDATE totals SET applied = applied + 1');
  };

  const run = (handler: EventHandler, options: Partial<MessageProcessorOptions> = {}, concurrency = 16) => {
    const processor = new MessageProcessor({
      consumer: h.durable,
      registry: strictRegistry,
      handlers: new Map([['order.created.v1', handler]]),
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
      db: h.db,
      maxAttempts: 4,
      retryBackoff: { initialMs: 100, maxMs: 2000 },
      deferDelayMs: 50,
      ...options,
    });
    const runner = new ConsumerRunner({ js, stream: STREAM, durable: h.durable, processor, concurrency, metrics: options.metrics, statsIntervalMs: 100 });
    h.runners.push(runner);
    runner.start();
    return runner;
  };

  const effects = async () =>
    (await h.db.query<{ event_id: string; aggregate_id: string; sequence: number }>('SELECT event_id, aggregate_id, sequence FROM effects ORDER BY applied_at, sequence')).rows;

  it('applies every event exactly once after the consumer process is SIGKILLed mid-batch', async () => {
    await addConsumer({ ackWaitMs: 2000 });
    const total = 300;
    for (let i = 0; i < total; i++) await publishOrderEvent(js, numberedOrderEvent(`agg-${i % 10}`, Math.floor(i / 10) + 1));
    const schema = (await h.db.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]!.schema;
    const child = () =>
      spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../testing/fixtures/counting-consumer.child.ts', import.meta.url))], {
        env: { ...process.env, NATS_URL: bus.server.url, DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema, STREAM, DURABLE: h.durable, HANDLER_DELAY_MS: '10' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const first = child();
    await vi.waitFor(async () => expect((await effects()).length).toBeGreaterThan(30), { timeout: 30_000, interval: 20 });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const appliedAtKill = (await effects()).length;
    expect(appliedAtKill).toBeLessThan(total);

    const second = child();
    try {
      await vi.waitFor(async () => expect((await effects()).length).toBeGreaterThanOrEqual(total), { timeout: 60_000, interval: 100 });
      // let redeliveries of anything in flight at the kill settle (ack_wait 2 s), then check exactness
      await vi.waitFor(async () => expect((await jsm.consumers.info(STREAM, h.durable)).num_ack_pending).toBe(0), { timeout: 15_000 });
    } finally {
      second.kill('SIGTERM');
    }
    const rows = await effects();
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(total);
    expect((await h.db.query('SELECT applied FROM totals')).rows[0]).toEqual({ applied: total });
    for (let a = 0; a < 10; a++) {
      expect(rows.filter((r) => r.aggregate_id === `agg-${a}`).map((r) => r.sequence)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
   }, 120_000);

  it('applies an event once when it is delivered twice (re-published with a new msg id)', async () => {
    await addConsumer();
    const metrics = new EventsMetrics(new Registry());
    run(recordingHandler, { metrics });
    const event = numberedOrderEvent('o-1', 1);
    await publishOrderEvent(js, event);
    await publishOrderEvent(js, event, `${event.id}-again`);
    await vi.waitFor(async () => expect((await metrics.consumed.get()).values.find((v) => v.labels.outcome === 'duplicate')?.value).toBe(1), { timeout: 10_000 });
    expect(await effects()).toHaveLength(1);
  });

  it('retries a transiently failing handler with growing delays until it succeeds', async () => {
    await addConsumer();
    const attempts: number[] = [];
    run(async (event, context) => {
      attempts.push(Date.now());
      if (attempts.length <= 3) throw new RetryableError('gateway timeout');
      await recordingHandler(event, context);
    });
    await publishOrderEvent(js, numberedOrderEvent('o-1', 1));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(1), { timeout: 15_000 });
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // backoff 100 ms doubling, equal jitter: at least 50, 100, 200 ms
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThan(gaps[0]!);
  });

  it('dead-letters a handler that always fails after max attempts, with its reason, and a redrive applies it', async () => {
    await addConsumer();
    let healthy = false;
    let calls = 0;
    run(async (event, context) => {
      calls++;
      if (!healthy) throw new Error('database constraint violated');
      await recordingHandler(event, context);
    });
    const event = numberedOrderEvent('o-1', 1);
    await publishOrderEvent(js, event);
    await vi.waitFor(async () => expect(await h.dlq.list()).toHaveLength(1), { timeout: 15_000 });
    expect(calls).toBe(4);
    const [dead] = await h.dlq.list();
    expect(dead).toMatchObject({
      reason: 'retries_exhausted',
      consumer: h.durable,
      originalSubject: `orders.${TENANT}.created`,
      originalStream: STREAM,
      originalSequence: 1,
      deliveryCount: 4,
    });
    expect(dead!.error).toContain('database constraint violated');
    expect(JSON.parse(new TextDecoder().decode(dead!.data)).id).toBe(event.id);
    expect(await effects()).toHaveLength(0);

    // the aggregate moved on: a later event is not held back by the dead-lettered one
    const next = numberedOrderEvent('o-1', 2);
    healthy = true;
    await publishOrderEvent(js, next);
    await vi.waitFor(async () => expect((await effects()).map((e) => e.sequence)).toEqual([2]), { timeout: 10_000 });

    await h.dlq.redrive(dead!.seq);
    await vi.waitFor(async () => expect((await effects()).map((e) => e.event_id)).toEqual([next.id, event.id]), { timeout: 10_000 });
    expect(await h.dlq.list()).toHaveLength(0);
  });

  it('redrives to the consumer that dead-lettered the event only: another consumer past its inbox retention does not apply it again', async () => {
    await addConsumer();
    const other = `${h.durable}-other`;
    await jsm.consumers.add(STREAM, { durable_name: other, ack_policy: AckPolicy.Explicit, filter_subject: 'orders.*.*', max_deliver: 5, ack_wait: 30_000 * 1_000_000 });
    let healthy = false;
    run(async (event, context) => {
      if (!healthy) throw new PermanentError('card blocked');
      await recordingHandler(event, context);
    });
    const appliedByOther: string[] = [];
    const otherProcessor = new MessageProcessor({
      consumer: other,
      registry: strictRegistry,
      handlers: new Map([['order.created.v1', async (event) => void appliedByOther.push(event.id)]]),
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
      db: h.db,
      maxAttempts: 4,
      deferDelayMs: 50,
    });
    const otherRunner = new ConsumerRunner({ js, stream: STREAM, durable: other, processor: otherProcessor, concurrency: 4 });
    h.runners.push(otherRunner);
    otherRunner.start();
    const settledBoth = () =>
      vi.waitFor(
        async () => {
          for (const durable of [h.durable, other]) {
            const info = await jsm.consumers.info(STREAM, durable);
            expect([durable, info.num_pending, info.num_ack_pending]).toEqual([durable, 0, 0]);
          }
        },
        { timeout: 15_000, interval: 50 },
      );
    const event = numberedOrderEvent('o-1', 1);
    await publishOrderEvent(js, event);
    await vi.waitFor(async () => expect(await h.dlq.list()).toHaveLength(1), { timeout: 15_000 });
    await settledBoth();
    expect(appliedByOther).toEqual([event.id]);
    // the other consumer's inbox row is past its retention (pruned); its sequence row remains
    await h.db.query('DELETE FROM events_inbox WHERE consumer = $1', [other]);
    healthy = true;
    const [dead] = await h.dlq.list();
    expect(dead!.consumer).toBe(h.durable);
    const redriven = await h.dlq.redrive(dead!.seq);
    expect((await jsm.streams.getMessage(STREAM, { seq: redriven.seq }))?.header.get('Redrive-Consumer')).toBe(h.durable);
    await vi.waitFor(async () => expect((await effects()).map((e) => e.event_id)).toEqual([event.id]), { timeout: 10_000 });
    await settledBoth();
    // both consumers took the redriven message; only the one it was redriven to applied it
    expect((await jsm.consumers.info(STREAM, other)).delivered.stream_seq).toBe(redriven.seq);
    expect(appliedByOther).toEqual([event.id]);
  });

  it('dead-letters an invalid payload and an unknown type at once, without retrying', async () => {
    await addConsumer();
    let calls = 0;
    run(async () => {
      calls++;
    });
    await publishOrderEvent(js, numberedOrderEvent('o-1', 1, { n: 'not a number' }));
    await publishOrderEvent(js, numberedOrderEvent('o-2', 1, { n: 1 }, 'order.teleported.v1'));
    await js.publish(`orders.${TENANT}.created`, encoder.encode('{"not":"an envelope"'));
    await vi.waitFor(async () => expect(await h.dlq.list()).toHaveLength(3), { timeout: 10_000 });
    const reasons = (await h.dlq.list()).map((d) => [d.reason, d.deliveryCount]);
    expect(reasons).toEqual([
      ['invalid_payload', 1],
      ['unknown_type', 1],
      ['malformed_envelope', 1],
    ]);
    expect(calls).toBe(0);
  });

  it('applies events of one aggregate in sequence order and drops stale ones', async () => {
    await addConsumer();
    run(recordingHandler);
    const e1 = numberedOrderEvent('o-1', 1);
    const e2 = numberedOrderEvent('o-1', 2);
    const e3 = numberedOrderEvent('o-1', 3);
    await publishOrderEvent(js, e3);
    await publishOrderEvent(js, e2);
    await publishOrderEvent(js, e1);
    await vi.waitFor(async () => expect((await effects()).map((e) => e.sequence)).toEqual([1, 2, 3]), { timeout: 15_000 });
    // an old event of the same aggregate, with a fresh id, is stale
    const stale = numberedOrderEvent('o-1', 2);
    await publishOrderEvent(js, stale);
    const marker = numberedOrderEvent('o-2', 1);
    await publishOrderEvent(js, marker);
    await vi.waitFor(async () => expect((await effects()).map((e) => e.event_id)).toContain(marker.id), { timeout: 10_000 });
    expect((await effects()).map((e) => e.event_id)).not.toContain(stale.id);
  });

  it('never has more than max_ack_pending messages in flight with a slow handler', async () => {
    const maxAckPending = 5;
    await addConsumer({ maxAckPending });
    let current = 0;
    let peak = 0;
    run(
      async (event, context) => {
        current++;
        peak = Math.max(peak, current);
        await new Promise((resolve) => setTimeout(resolve, 40));
        current--;
        await recordingHandler(event, context);
      },
      {},
      64,
    );
    for (let i = 0; i < 40; i++) await publishOrderEvent(js, numberedOrderEvent(`agg-${i}`, 1));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(40), { timeout: 20_000 });
    expect(peak).toBe(maxAckPending);
  });

  it('dead-letters a message delivered more times than the handler may run, without running it', async () => {
    await addConsumer({ ackWaitMs: 500 });
    // a process that takes the message and dies before acking it (never acks)
    const crashed = await js.consumers.get(STREAM, h.durable);
    await publishOrderEvent(js, numberedOrderEvent('o-1', 1));
    const taken = await crashed.next({ expires: 5000 });
    expect(taken?.info.deliveryCount).toBe(1);
    let calls = 0;
    run(async () => void calls++, { maxAttempts: 1 });
    await vi.waitFor(async () => expect((await h.dlq.list()).map((d) => d.reason)).toEqual(['max_deliveries']), { timeout: 10_000 });
    expect(calls).toBe(0);
  });

  it('dead-letters from the max-deliveries advisory when JetStream gives up on a message', async () => {
    await addConsumer({ ackWaitMs: 300, maxDeliver: 2 });
    const listener = new MaxDeliveriesAdvisoryListener({
      nc: bus.nc,
      jsm,
      consumers: [{ stream: STREAM, durable: h.durable }],
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
    });
    listener.start();
    try {
      await bus.nc.flush();
      await publishOrderEvent(js, numberedOrderEvent('o-1', 1));
      const consumer = await js.consumers.get(STREAM, h.durable);
      // two deliveries that "crash" (never ack); JetStream then stops and advises
      expect((await consumer.next({ expires: 5000 }))?.info.deliveryCount).toBe(1);
      expect((await consumer.next({ expires: 5000 }))?.info.deliveryCount).toBe(2);
      // JetStream notices the exhausted message on its next delivery attempt, with a pull waiting
      expect(await consumer.next({ expires: 1500 })).toBeNull();
      await vi.waitFor(async () => expect((await h.dlq.list()).map((d) => [d.reason, d.originalSequence])).toEqual([['max_deliveries', 1]]), {
        timeout: 10_000,
      });
    } finally {
      await listener.stop();
    }
  });

  it('drains in-flight messages on stop: they finish and are acknowledged', async () => {
    await addConsumer();
    let started = 0;
    const runner = run(async (event, context) => {
      started++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await recordingHandler(event, context);
    });
    for (let i = 0; i < 5; i++) await publishOrderEvent(js, numberedOrderEvent(`agg-${i}`, 1));
    await vi.waitFor(() => expect(started).toBe(5), { timeout: 10_000 });
    await runner.stop();
    expect(await effects()).toHaveLength(5);
    // stop() returned after sending the acks; the server applies them asynchronously (well within
    // the 30 s ack wait, after which unacked messages would show as redeliveries instead)
    await vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(STREAM, h.durable);
        expect(info.num_ack_pending).toBe(0);
        expect(info.num_pending).toBe(0);
        expect(info.num_redelivered).toBe(0);
      },
      { timeout: 3000 },
    );
  });

  it('hands back what it buffered on stop with one delivery spent each: a hand-back never comes back to the stopping runner', async () => {
    // Handed back at once, a message came straight back to the runner's still-open pull request,
    // was handed back again, and so on: each lap a delivery, until max_deliver left no attempt
    // for a handler (seen on a cluster as a max_deliveries dead letter after a graceful restart).
    await addConsumer({ maxDeliver: 10 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const processor = new MessageProcessor({
      consumer: h.durable,
      registry: strictRegistry,
      handlers: new Map<string, EventHandler>([
        [
          'order.created.v1',
          async (event, context) => {
            started++;
            await gate;
            await recordingHandler(event, context);
          },
        ],
      ]),
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
      db: h.db,
    });
    // One message at a time, the other 19 in the pull buffer.
    const runner = new ConsumerRunner({ js, stream: STREAM, durable: h.durable, processor, concurrency: 1, maxMessages: 50 });
    h.runners.push(runner);
    runner.start();
    const total = 20;
    try {
      for (let i = 0; i < total; i++) await publishOrderEvent(js, numberedOrderEvent(`agg-${i}`, 1));
      await vi.waitFor(
        async () => {
          expect(started).toBe(1);
          expect((await jsm.consumers.info(STREAM, h.durable)).num_ack_pending).toBe(total);
        },
        { timeout: 10_000, interval: 20 },
      );
    } finally {
      const stopped = runner.stop();
      release();
      await stopped;
    }
    // What had started (the first, perhaps the next one taken for the free slot) finished.
    const applied = (await effects()).length;
    expect(applied).toBeGreaterThanOrEqual(1);

    const deliveryCounts: number[] = [];
    const check = await js.consumers.get(STREAM, h.durable);
    const deadline = Date.now() + 10_000;
    while (deliveryCounts.length < total - applied && Date.now() < deadline) {
      for await (const message of await check.fetch({ max_messages: total, expires: 1_000 })) {
        deliveryCounts.push(message.info.deliveryCount);
        message.ack();
      }
    }
    expect(deliveryCounts, 'the ones handed back, each delivered once to the runner and once here').toEqual(Array(total - applied).fill(2));
    expect(total - applied).toBeGreaterThan(10);
  });

  it('exposes the catalogued metrics', async () => {
    await addConsumer();
    const registry = new Registry();
    const metrics = new EventsMetrics(registry);
    run(recordingHandler, { metrics });
    await publishOrderEvent(js, numberedOrderEvent('o-1', 1));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(1), { timeout: 10_000 });
    const text = await registry.metrics();
    for (const name of Object.values(EventsMetricName)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(new RegExp(`events_consumed_total\\{consumer="${h.durable}",event_type="order.created.v1",outcome="ack"\\} 1`));
  });

  it('passes a PermanentError thrown by a handler straight to the DLQ', async () => {
    await addConsumer();
    let calls = 0;
    run(async () => {
      calls++;
      throw new PermanentError('order is already archived');
    });
    await publishOrderEvent(js, numberedOrderEvent('o-1', 1));
    await vi.waitFor(async () => expect((await h.dlq.list()).map((d) => d.reason)).toEqual(['permanent_error']), { timeout: 10_000 });
    expect(calls).toBe(1);
    const [dead] = await readStream(jsm, 'DLQ');
    expect(dead!.headers[DlqHeader.ErrorCode]).toBe('EVT_PERMANENT');
    // The server applied the term: nothing is left pending for a redelivery after the ack wait
    // (nats-server 2.9 ignores `+TERM <reason>`, so a term with a reason was lost there).
    await vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(STREAM, h.durable);
        expect([info.num_ack_pending, info.num_pending, info.num_redelivered]).toEqual([0, 0, 0]);
      },
      { timeout: 5_000, interval: 100 },
    );
  });
});

