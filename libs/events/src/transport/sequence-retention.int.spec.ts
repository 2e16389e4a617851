import { AckPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadLetterPublisher, DlqHeader } from '../dlq/dead-letter.js';
import { DeadLetterQueue } from '../dlq/dead-letter-queue.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { EventsMetrics } from '../metrics/events.metrics.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { Database } from '../storage/database.js';
import { testDatabaseEngines } from '../testing/databases.js';
import {
  addOrderTestStreams,
  migrateEventsSchema,
  numberedOrderEvent,
  numberedOrderRegistry,
  ORDERS_TEST_STREAM as STREAM,
  publishOrderEvent,
  removeOrderTestStreams,
  testSubjectOf,
} from '../testing/event-fixtures.js';
import { FakeMessage } from '../testing/fake-message.js';
import { InMemoryPublisher } from '../testing/in-memory.publisher.js';
import { startTestJetStream, type TestJetStream } from '../testing/nats-server.js';
import { Semaphore } from './batch-scheduler.js';
import { ConsumerRunner } from './consumer-runner.js';
import { pruneSequences } from './inbox.js';
import { MessageProcessor, type BatchEventHandler, type EventHandler, type MessageProcessorOptions } from './message-processor.js';

const DAY = 86_400_000;

let bus: TestJetStream;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  bus = await startTestJetStream();
  ({ js, jsm } = bus);
});

afterAll(() => bus?.close());

const engines = testDatabaseEngines('seqret');

describe.each(engines)('sequence row retention on %s', (_engine, open) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let durable: string;
  let runners: ConsumerRunner[];
  let dlq: DeadLetterQueue;
  let metricsRegistry: Registry;

  beforeEach(async () => {
    ({ db, cleanup } = await open());
    await migrateEventsSchema(db);
    await db.query('CREATE TABLE effects (event_id uuid NOT NULL, aggregate_id text NOT NULL, sequence int NOT NULL, delivery_count int NOT NULL, seq serial)');
    durable = `seqret-${randomUUID().slice(0, 8)}`;
    runners = [];
    metricsRegistry = new Registry();
    await addOrderTestStreams(jsm);
    await jsm.consumers.add(STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: 'orders.*.*', max_deliver: 5, ack_wait: 30_000 * 1_000_000 });
    dlq = new DeadLetterQueue({ js, jsm, publisher: new JetStreamPublisher(js) });
  });

  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await removeOrderTestStreams(jsm);
    await cleanup();
  });

  const recordOne = (event: EventEnvelope, deliveryCount: number, tx: { query: Database['query'] }) =>
    tx.query('INSERT INTO effects (event_id, aggregate_id, sequence, delivery_count) VALUES ($1, $2, $3, $4)', [event.id, event.subject, event.sequence, deliveryCount]);
  const record: EventHandler = async (event, context) => void (await recordOne(event, context.delivery.deliveryCount, context.transaction));
  const recordBatch: BatchEventHandler = async (events, context) => {
    for (const [i, event] of events.entries()) await recordOne(event, context.deliveries[i]!.deliveryCount, context.transaction);
  };

  const processorOptions = (handlers: Partial<Pick<MessageProcessorOptions, 'handlers' | 'batchHandlers'>>): MessageProcessorOptions => ({
    consumer: durable,
    registry: numberedOrderRegistry,
    handlers: new Map(),
    ...handlers,
    deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
    db,
    maxAttempts: 4,
    retryBackoff: { initialMs: 100, maxMs: 1000 },
    deferDelayMs: 50,
    metrics: new EventsMetrics(metricsRegistry),
  });

  const start = (handlers: Partial<Pick<MessageProcessorOptions, 'handlers' | 'batchHandlers'>> = { handlers: new Map([['order.created.v1', record]]) }) => {
    const processor = new MessageProcessor(processorOptions(handlers));
    const runner = new ConsumerRunner({ js, stream: STREAM, durable, processor, concurrency: 1, batchSize: 16, lane: new Semaphore(1) });
    runners.push(runner);
    runner.start();
    return runner;
  };

  const effects = async () =>
    (await db.query<{ aggregate_id: string; sequence: number; delivery_count: number }>('SELECT aggregate_id, sequence, delivery_count FROM effects ORDER BY seq')).rows;
  const rows = async () =>
    (await db.query<{ aggregate_id: string; last_sequence: string | number }>('SELECT aggregate_id, last_sequence FROM events_consumer_sequences ORDER BY aggregate_id')).rows.map((row) => [
      row.aggregate_id,
      Number(row.last_sequence),
    ]);
  const age = (aggregateId: string, days: number) =>
    db.query(`UPDATE events_consumer_sequences SET updated_at = now() - make_interval(days => $2) WHERE aggregate_id = $1`, [aggregateId, days]);
  const counter = async (name: string, labels: Record<string, string>) => {
    const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
    return metric?.values.find((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))?.value ?? 0;
  };
  const rowMissing = () => counter('events_sequence_row_missing_total', { consumer: durable });
  const settled = () =>
    vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(STREAM, durable);
        expect([info.num_pending, info.num_ack_pending]).toEqual([0, 0]);
      },
      { timeout: 15_000, interval: 50 },
    );

  it('records when each row was written, advances refresh it, and the prune removes only the rows idle past the retention, in batches', async () => {
    start();
    for (const id of ['idle-1', 'idle-2', 'idle-3', 'busy', 'touched']) await publishOrderEvent(js, numberedOrderEvent(id, 1));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(5), { timeout: 15_000 });
    await settled();
    const fresh = await db.query<{ fresh: boolean }>("SELECT bool_and(updated_at > now() - interval '1 minute') AS fresh FROM events_consumer_sequences");
    expect(fresh.rows[0]!.fresh).toBe(true);
    for (const id of ['idle-1', 'idle-2', 'idle-3', 'touched']) await age(id, 40);
    await age('busy', 34);
    // an advance of an old row makes it fresh again
    await publishOrderEvent(js, numberedOrderEvent('touched', 2));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(6), { timeout: 15_000 });
    await settled();

    expect(await pruneSequences(db, new Date(Date.now() - 35 * DAY), 2)).toBe(3);
    expect(await rows()).toEqual([
      ['busy', 1],
      ['touched', 2],
    ]);
    expect(await pruneSequences(db, new Date(Date.now() - 35 * DAY))).toBe(0);
  });

  it.each([
    ['a handler', { handlers: new Map([['order.created.v1', record]]) }],
    ['a batch handler', { batchHandlers: new Map([['order.created.v1', recordBatch]]) }],
  ] as const)('applies the next event of a pruned aggregate (sequence 5, no row) on its final deferral with %s, and counts it', async (_kind, handlers) => {
    start(handlers);
    for (let sequence = 1; sequence <= 4; sequence++) await publishOrderEvent(js, numberedOrderEvent('sku-1', sequence));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(4), { timeout: 15_000 });
    await settled();
    await age('sku-1', 40);
    expect(await pruneSequences(db, new Date(Date.now() - 35 * DAY))).toBe(1);
    expect(await rowMissing()).toBe(0);

    await publishOrderEvent(js, numberedOrderEvent('sku-1', 5));
    await vi.waitFor(async () => expect((await effects()).map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]), { timeout: 15_000 });
    await settled();
    // held back on deliveries 1 to 3, applied on the 4th (the last the handler may run)
    expect((await effects())[4]).toEqual({ aggregate_id: 'sku-1', sequence: 5, delivery_count: 4 });
    expect(await counter('events_consumed_total', { consumer: durable, outcome: 'deferred' })).toBe(3);
    expect(await rowMissing()).toBe(1);
    expect(await dlq.list()).toEqual([]);
    expect(await rows()).toEqual([['sku-1', 5]]);

    // the aggregate goes on in order from the row it has again
    await publishOrderEvent(js, numberedOrderEvent('sku-1', 6));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(6), { timeout: 15_000 });
    await settled();
    expect((await effects())[5]).toEqual({ aggregate_id: 'sku-1', sequence: 6, delivery_count: 1 });
    expect(await rowMissing()).toBe(1);
  });

  it('still dead-letters as sequence_gap an early event of an aggregate that has a row, and drops a stale one', async () => {
    start();
    await publishOrderEvent(js, numberedOrderEvent('o-1', 1));
    await publishOrderEvent(js, numberedOrderEvent('o-1', 2));
    await vi.waitFor(async () => expect(await effects()).toHaveLength(2), { timeout: 15_000 });
    await settled();
    // the row is old but not pruned: the gap is a real one
    await age('o-1', 40);
    const early = numberedOrderEvent('o-1', 4);
    const stale = numberedOrderEvent('o-1', 2);
    await publishOrderEvent(js, early);
    await publishOrderEvent(js, stale);
    await vi.waitFor(async () => expect(await dlq.list()).toHaveLength(1), { timeout: 15_000 });
    await settled();
    expect((await dlq.list()).map((d) => [d.reason, d.deliveryCount, JSON.parse(new TextDecoder().decode(d.data)).id])).toEqual([['sequence_gap', 4, early.id]]);
    expect(await counter('events_consumed_total', { consumer: durable, outcome: 'stale' })).toBe(1);
    expect((await effects()).map((e) => e.sequence)).toEqual([1, 2]);
    expect(await rows()).toEqual([['o-1', 2]]);
    expect(await rowMissing()).toBe(0);
  });

  it('does not apply over a gap a predecessor of which is held back in the same batch, though the aggregate has no row', async () => {
    const deadLetters = new InMemoryPublisher('DLQ');
    const processor = new MessageProcessor({ ...processorOptions({ handlers: new Map([['order.created.v1', record]]) }), deadLetters: new DeadLetterPublisher(deadLetters) });
    const message = (event: EventEnvelope, deliveryCount: number) => FakeMessage.json(testSubjectOf(event.type, event.tenantid), event, { deliveryCount });
    const second = message(numberedOrderEvent('sku-2', 2), 2);
    const third = message(numberedOrderEvent('sku-2', 3), 4);
    const lone = message(numberedOrderEvent('sku-3', 7), 4);
    expect(await processor.handleBatch([second, third, lone].map((m) => processor.prepare(m)))).toEqual(['deferred', 'dead_letter', 'ack']);
    expect(deadLetters.messages.map((m) => m.headers[DlqHeader.Reason])).toEqual(['sequence_gap']);
    expect((await effects()).map((e) => [e.aggregate_id, e.sequence])).toEqual([['sku-3', 7]]);
    // a sequence_gap dead letter does not move the aggregate (unchanged): sku-2 still has no row
    expect(await rows()).toEqual([['sku-3', 7]]);
    expect(await rowMissing()).toBe(1);
  });
});
