import { AckPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadLetterPublisher } from '../dlq/dead-letter.js';
import { DeadLetterQueue } from '../dlq/dead-letter-queue.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { PermanentError, RetryableError } from '../errors.js';
import { Outbox, type OutboxRecord } from '../outbox/outbox.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { Database } from '../storage/database.js';
import { adminQuery, testDatabaseEngines } from '../testing/databases.js';
import {
  acceptAnyEvent,
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
import { Semaphore } from './batch-scheduler.js';
import { ConsumerRunner } from './consumer-runner.js';
import { MessageProcessor, type BatchEventHandler, type EventHandler, type MessageProcessorOptions } from './message-processor.js';

const encoder = new TextEncoder();

let bus: TestJetStream;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  bus = await startTestJetStream();
  ({ js, jsm } = bus);
});

afterAll(() => bus?.close());


const engines = testDatabaseEngines('batch');

describe.each(engines)('batched consumer transactions on %s', (engine, open) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let durable: string;
  let runners: ConsumerRunner[];
  let dlq: DeadLetterQueue;

  beforeEach(async () => {
    ({ db, cleanup } = await open());
    await migrateEventsSchema(db);
    // txid records which transaction applied an effect: one batch, one transaction
    await db.query('CREATE TABLE effects (event_id uuid NOT NULL, aggregate_id text NOT NULL, sequence int NOT NULL, txid bigint NOT NULL, seq serial)');
    durable = `batch-${randomUUID().slice(0, 8)}`;
    runners = [];
    await addOrderTestStreams(jsm);
    await jsm.consumers.add(STREAM, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'orders.*.*',
      max_deliver: 5,
      ack_wait: 30_000 * 1_000_000,
    });
    dlq = new DeadLetterQueue({ js, jsm, publisher: new JetStreamPublisher(js) });
  });

  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await removeOrderTestStreams(jsm);
    await cleanup();
  });

  const record: EventHandler = async (event, context) => {
    await context.transaction.query('INSERT INTO effects (event_id, aggregate_id, sequence, txid) VALUES ($1, $2, $3, txid_current())', [event.id, event.subject, event.sequence]);
  };

  /**
   * Start a runner. With `firstBatchOf`, the first batch is formed only once that many messages
   * are in the runner: a batch takes what is ready, and without the gate a loaded machine may hand
   * the first message over alone. The lane permit is held until then (nothing is delayed after).
   */
  const start = (handlers: Partial<Pick<MessageProcessorOptions, 'handlers' | 'batchHandlers' | 'outbox'>>, batchSize = 16, firstBatchOf?: number) => {
    const processor = new MessageProcessor({
      consumer: durable,
      registry: numberedOrderRegistry,
      handlers: new Map(),
      ...handlers,
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
      db,
      maxAttempts: 4,
      retryBackoff: { initialMs: 100, maxMs: 1000 },
      deferDelayMs: 100,
    });
    const lane = new Semaphore(1);
    const runner = new ConsumerRunner({ js, stream: STREAM, durable, processor, concurrency: 1, batchSize, lane });
    runners.push(runner);
    if (firstBatchOf === undefined) runner.start();
    else {
      void lane.acquire().then(async (release) => {
        runner.start();
        await vi.waitFor(() => expect(runner.inFlight).toBe(firstBatchOf), { timeout: 10_000, interval: 5 }).finally(release);
      });
    }
    return runner;
  };

  const effects = async () =>
    (await db.query<{ event_id: string; aggregate_id: string; sequence: number; txid: number }>('SELECT event_id, aggregate_id, sequence, txid FROM effects ORDER BY seq')).rows;

  const settled = () =>
    vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(STREAM, durable);
        expect([info.num_pending, info.num_ack_pending]).toEqual([0, 0]);
      },
      { timeout: 15_000, interval: 50 },
    );

  it('commits the healthy messages of a batch once, dead-letters a poison one at once and retries a failing one until it applies', async () => {
    const healthy = Array.from({ length: 6 }, (_, i) => numberedOrderEvent(`h-${i}`, 1));
    const poison = numberedOrderEvent('p-1', 1, { n: 'not a number' });
    const flaky = numberedOrderEvent('f-1', 1);
    // published before the consumer starts; the first batch is formed once all eight are in
    for (const event of [healthy[0]!, healthy[1]!, poison, healthy[2]!, flaky, ...healthy.slice(3)]) await publishOrderEvent(js, event);
    const flakyAttempts: number[] = [];
    start({
      handlers: new Map([
        [
          'order.created.v1',
          async (event, context) => {
            if (event.id === flaky.id) {
              flakyAttempts.push(Date.now());
              if (flakyAttempts.length < 3) throw new RetryableError('gateway timeout');
            }
            await record(event, context);
          },
        ],
      ]),
    }, 16, 8);
    await vi.waitFor(async () => expect(await effects()).toHaveLength(7), { timeout: 15_000 });
    await settled();
    const rows = await effects();
    expect(rows.map((r) => r.event_id).sort()).toEqual([...healthy, flaky].map((e) => e.id).sort());
    // the healthy six shared one transaction: the first batch
    expect(new Set(rows.filter((r) => r.aggregate_id.startsWith('h-')).map((r) => r.txid)).size).toBe(1);
    expect(flakyAttempts).toHaveLength(3);
    expect(flakyAttempts[2]! - flakyAttempts[1]!).toBeGreaterThanOrEqual(95);
    expect((await dlq.list()).map((d) => [d.reason, d.deliveryCount, JSON.parse(new TextDecoder().decode(d.data)).id])).toEqual([['invalid_payload', 1, poison.id]]);
  });

  it('applies the events of one aggregate in sequence within a batch and across batches, and a duplicate inside a batch once', async () => {
    const events = Array.from({ length: 5 }, (_, i) => numberedOrderEvent('o-1', i + 1));
    const [e1, e2, e3, e4, e5] = events as [EventEnvelope, EventEnvelope, EventEnvelope, EventEnvelope, EventEnvelope];
    // one batch: 3, 2, a copy of 2 (same event id, another message), 1
    await publishOrderEvent(js, e3);
    await publishOrderEvent(js, e2);
    await publishOrderEvent(js, e2, `${e2.id}-again`);
    await publishOrderEvent(js, e1);
    start({ handlers: new Map([['order.created.v1', record]]) }, 16, 4);
    await vi.waitFor(async () => expect((await effects()).map((r) => r.sequence)).toEqual([1, 2, 3]), { timeout: 15_000 });
    const first = await effects();
    expect(new Set(first.map((r) => r.txid)).size).toBe(1);
    await settled();
    // across batches: 5 arrives first and is held back until 4 is applied
    await publishOrderEvent(js, e5);
    await publishOrderEvent(js, e4);
    await vi.waitFor(async () => expect((await effects()).map((r) => r.event_id)).toEqual(events.map((e) => e.id)), { timeout: 15_000 });
    await settled();
    expect(await effects()).toHaveLength(5);
  });

  it("never rolls back another message's effects or outbox rows when one handler throws, and hands the relay only the kept rows", async () => {
    const outbox = new Outbox({ source: 'payment', validator: acceptAnyEvent });
    const handedOver: OutboxRecord[] = [];
    outbox.onCommit((records) => handedOver.push(...records));
    const events = [numberedOrderEvent('a-1', 1), numberedOrderEvent('a-2', 1), numberedOrderEvent('a-3', 1), numberedOrderEvent('a-4', 1)];
    const failing = events[1]!;
    const swallowing = events[2]!;
    for (const event of events) await publishOrderEvent(js, event);
    start({
      outbox,
      handlers: new Map([
        [
          'order.created.v1',
          async (event, context) => {
            await record(event, context);
            await context.emit({ type: 'payment.authorized.v1', aggregateId: `pay-${event.subject}`, data: { orderId: event.subject } });
            if (event.id === failing.id) throw new PermanentError('card blocked');
            if (event.id === swallowing.id && context.delivery.deliveryCount === 1) {
              // a failed statement the handler catches still aborts the transaction: rolled back like a throw
              await context.transaction.query('SELECT 1 / $1::int', [0]).catch(() => undefined);
            }
          },
        ],
      ]),
    }, 16, 4);
    await vi.waitFor(async () => expect((await dlq.list()).length).toBe(1), { timeout: 15_000 });
    await vi.waitFor(async () => expect((await effects()).map((r) => r.aggregate_id).sort()).toEqual(['a-1', 'a-3', 'a-4']), { timeout: 15_000 });
    // the swallowed failure was retried and applied on a later delivery; a-1 and a-4 committed in the first batch
    const rows = await effects();
    expect(rows.find((r) => r.aggregate_id === 'a-1')!.txid).toBe(rows.find((r) => r.aggregate_id === 'a-4')!.txid);
    const outboxRows = (await db.query<{ aggregate_id: string }>('SELECT aggregate_id FROM events_outbox ORDER BY id')).rows.map((r) => r.aggregate_id);
    expect(outboxRows.sort()).toEqual(['pay-a-1', 'pay-a-3', 'pay-a-4']);
    expect(handedOver.map((r) => JSON.parse(r.payload).subject).sort()).toEqual(['pay-a-1', 'pay-a-3', 'pay-a-4']);
    expect((await dlq.list()).map((d) => d.reason)).toEqual(['permanent_error']);
  });

  it('hands a batch handler the events of a batch in one call, and one by one after it throws', async () => {
    const calls: string[][] = [];
    const batchHandler: BatchEventHandler = async (batch, context) => {
      calls.push(batch.map((e) => e.subject));
      if (batch.length > 1 && batch.some((e) => e.subject === 'b-3')) throw new RetryableError('one of them is bad');
      if (batch.length === 1 && batch[0]!.subject === 'b-3') throw new PermanentError('b-3 is poison');
      for (const event of batch) {
        await context.transaction.query('INSERT INTO effects (event_id, aggregate_id, sequence, txid) VALUES ($1, $2, $3, txid_current())', [event.id, event.subject, event.sequence]);
      }
    };
    const good = [numberedOrderEvent('b-1', 1), numberedOrderEvent('b-2', 1)];
    for (const event of good) await publishOrderEvent(js, event);
    start({ batchHandlers: new Map([['order.created.v1', batchHandler]]) }, 16, 2);
    await vi.waitFor(async () => expect(await effects()).toHaveLength(2), { timeout: 15_000 });
    expect(calls).toEqual([['b-1', 'b-2']]);
    await settled();
    const mixed = [numberedOrderEvent('b-3', 1), numberedOrderEvent('b-4', 1), numberedOrderEvent('b-5', 1)];
    await runners[0]!.stop();
    for (const event of mixed) await publishOrderEvent(js, event);
    calls.length = 0;
    start({ batchHandlers: new Map([['order.created.v1', batchHandler]]) }, 16, 3);
    await vi.waitFor(async () => expect((await effects()).map((r) => r.aggregate_id).sort()).toEqual(['b-1', 'b-2', 'b-4', 'b-5']), { timeout: 15_000 });
    expect(calls).toEqual([['b-3', 'b-4', 'b-5'], ['b-3'], ['b-4'], ['b-5']]);
    expect((await dlq.list()).map((d) => [d.reason, d.deliveryCount])).toEqual([['permanent_error', 1]]);
  });

  it('dead-letters an event whose body disagrees with the subject it arrived on (subject_mismatch), and applies the others', async () => {
    const forged = numberedOrderEvent('m-1', 1);
    const honest = numberedOrderEvent('m-2', 1);
    // a body of tenant acme published on another tenant's subject, and on another event's subject
    await js.publish('orders.other.created', encoder.encode(JSON.stringify(forged)), { msgID: forged.id });
    await js.publish(`orders.${TENANT}.confirmed`, encoder.encode(JSON.stringify(forged)), { msgID: `${forged.id}-2` });
    await publishOrderEvent(js, honest);
    start({ handlers: new Map([['order.created.v1', record]]) });
    await vi.waitFor(async () => expect((await dlq.list()).map((d) => [d.reason, d.originalSubject])).toEqual([
      ['subject_mismatch', 'orders.other.created'],
      ['subject_mismatch', `orders.${TENANT}.confirmed`],
    ]), { timeout: 15_000 });
    await settled();
    expect((await effects()).map((r) => r.aggregate_id)).toEqual(['m-2']);
  });

  it.runIf(engine === 'PostgreSQL')('keeps a batch while its database connections are cut, without spending attempts, then applies it once', async () => {
    let gate!: () => void;
    const cut = new Promise<void>((resolve) => (gate = resolve));
    const seenDeliveries: number[] = [];
    const runner = start({
      handlers: new Map([
        [
          'order.created.v1',
          async (event, context) => {
            seenDeliveries.push(context.delivery.deliveryCount);
            await record(event, context);
            if (seenDeliveries.length === 1) await cut;
          },
        ],
      ]),
    });
    const events = [numberedOrderEvent('c-1', 1), numberedOrderEvent('c-2', 1)];
    for (const event of events) await publishOrderEvent(js, event);
    await vi.waitFor(() => expect(seenDeliveries.length).toBeGreaterThan(0), { timeout: 10_000 });
    // terminate every backend of this database's pool while the batch is open (57P01 admin shutdown)
    const application = (await db.query<{ name: string }>("SELECT current_setting('application_name') AS name")).rows[0]!.name;
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [application]);
    gate();
    await vi.waitFor(() => expect(runner.isWaitingForDatabase).toBe(true), { timeout: 5_000, interval: 5 });
    await vi.waitFor(async () => expect((await effects()).map((r) => r.aggregate_id).sort()).toEqual(['c-1', 'c-2']), { timeout: 15_000 });
    await settled();
    expect(runner.isWaitingForDatabase).toBe(false);
    // the batch ran again in the same delivery: no attempt was spent, nothing dead-lettered
    expect(new Set(seenDeliveries)).toEqual(new Set([1]));
    expect(await dlq.list()).toHaveLength(0);
  });

  // Messages wait in the client's pull buffer while a batch waits for the database; they are not
  // kept alive, yet an outage of several ack waits does not redeliver them into exhaustion:
  // JetStream redelivers to a pull consumer only on a pull, and none is issued while the buffer
  // is full. Each is handled once when the database answers.
  it("keeps the client's buffered messages through a database outage longer than the ack wait: none redelivered into exhaustion, each applied once", async () => {
    const holdDurable = `${durable}-hold`;
    await jsm.consumers.add(STREAM, {
      durable_name: holdDurable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'orders.*.*',
      max_deliver: 3,
      ack_wait: 1_000 * 1_000_000,
    });
    // The database refuses connections (an infrastructure failure) until `down` is cleared.
    let down = true;
    const refusing = new Proxy(db, {
      get(target, property, receiver) {
        if (property === 'transaction') {
          return (fn: Parameters<Database['transaction']>[0]) =>
            down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) : target.transaction(fn);
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const deliveries: number[] = [];
    const processor = new MessageProcessor({
      consumer: holdDurable,
      registry: numberedOrderRegistry,
      handlers: new Map([
        [
          'order.created.v1',
          async (event, context) => {
            deliveries.push(context.delivery.deliveryCount);
            await record(event, context);
          },
        ],
      ]),
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
      db: refusing,
      maxAttempts: 2,
      retryBackoff: { initialMs: 100, maxMs: 200 },
      deferDelayMs: 100,
      ackWaitMs: 1_000,
    });
    // Scheduler room for 2, a pull buffer of 4: most of the 12 messages wait in the client's buffer.
    const runner = new ConsumerRunner({ js, stream: STREAM, durable: holdDurable, processor, concurrency: 1, batchSize: 2 });
    runners.push(runner);
    const events = Array.from({ length: 12 }, (_, i) => numberedOrderEvent(`hold-${i}`, 1));
    for (const event of events) await publishOrderEvent(js, event);
    runner.start();
    await vi.waitFor(() => expect(runner.isWaitingForDatabase).toBe(true), { timeout: 5_000, interval: 10 });
    // The outage lasts four ack waits (the injected fault, not a wait for a result): more than the
    // max_deliver (3) redelivery cycles that would exhaust a message redelivered on every ack wait.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const during = await jsm.consumers.info(STREAM, holdDurable);
    down = false;
    await vi.waitFor(async () => expect((await effects()).length).toBe(12), { timeout: 15_000, interval: 50 });
    await vi.waitFor(
      async () => {
        const info = await jsm.consumers.info(STREAM, holdDurable);
        expect([info.num_pending, info.num_ack_pending]).toEqual([0, 0]);
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(new Set((await effects()).map((row) => row.event_id))).toEqual(new Set(events.map((event) => event.id)));
    expect(await dlq.list()).toHaveLength(0);
    expect(Math.max(...deliveries)).toBeLessThan(3);
    expect(during.num_redelivered).toBeLessThanOrEqual(4);
  });
});
