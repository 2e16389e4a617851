import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { EventsMetrics } from '../metrics/events.metrics.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { PublishAck, PublishOptions, Publisher } from '../publisher/publisher.js';
import type { Database, Transaction } from '../storage/database.js';
import { createTestPgDatabase, createTestPgliteDatabase } from '../testing/databases.js';
import { acceptAnyEvent, migrateEventsSchema } from '../testing/event-fixtures.js';
import { startTestNatsServer, type TestNatsServer } from '../testing/nats-server.js';
import { readStream, streamCount } from '../testing/stream-reader.js';
import { Outbox } from './outbox.js';
import { OutboxRelay } from './outbox.relay.js';

const STREAM = 'ORDERS';
const TENANT = 'acme';

const engines = [
  { name: 'PostgreSQL', open: createTestPgDatabase },
  { name: 'PGlite', open: createTestPgliteDatabase },
] as const;

let server: TestNatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  server = await startTestNatsServer();
  nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

describe.each(engines)('transactional outbox and relay on $name', ({ open }) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let outbox: Outbox;
  const relays: OutboxRelay[] = [];

  const newRelay = (publisher: Publisher = new JetStreamPublisher(jetstream(nc)), extra: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) => {
    const relay = new OutboxRelay({
      db,
      publisher,
      service: 'order',
      outbox,
      pollIntervalMs: 200,
      lockRetryMs: 100,
      backoff: { initialMs: 50, maxMs: 500 },
      publishTimeoutMs: 1000,
      ...extra,
    });
    relays.push(relay);
    return relay;
  };

  const appendOne = (aggregateId: string, n: number) =>
    db.transaction((tx) => outbox.append(tx, { type: 'order.created.v1', data: { n }, tenantId: TENANT, aggregateId }));

  beforeEach(async () => {
    ({ db, cleanup } = await open());
    await migrateEventsSchema(db);
    outbox = new Outbox({ source: 'order', validator: acceptAnyEvent });
    await jsm.streams.add({ name: STREAM, subjects: ['orders.>'], duplicate_window: 120_000_000_000 });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await jsm.streams.delete(STREAM).catch(() => undefined);
    await cleanup();
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await outbox.append(tx, { type: 'order.created.v1', data: {}, tenantId: TENANT, aggregateId: 'o-1' });
        await outbox.append(tx, { type: 'order.confirmed.v1', data: {}, tenantId: TENANT, aggregateId: 'o-1' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await appendOne('o-2', 1); // a committed marker, to know the relay has run
    const relay = newRelay();
    relay.start();
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(1), { timeout: 10_000 });
    const messages = await readStream(jsm, STREAM);
    expect(messages.map((m) => (m.json as { subject: string }).subject)).toEqual(['o-2']);
    expect((await db.query('SELECT count(*)::int AS n FROM events_outbox')).rows[0]).toEqual({ n: 1 });
  });

  it('publishes committed events exactly once, in per-aggregate order, with msg id = event id', async () => {
    const relay = newRelay();
    relay.start();
    const aggregates = ['a', 'b', 'c', 'd'];
    const perAggregate = 15;
    // Interleave aggregates; each aggregate's events are appended by concurrent transactions.
    await Promise.all(
      aggregates.map(async (aggregate) => {
        await Promise.all(Array.from({ length: perAggregate }, (_, i) => appendOne(aggregate, i)));
      }),
    );
    const total = aggregates.length * perAggregate;
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(total), { timeout: 15_000 });
    const messages = await readStream(jsm, STREAM);
    const envelopes = messages.map((m) => m.json as { id: string; subject: string; sequence: number; tenantid: string });
    expect(new Set(envelopes.map((e) => e.id)).size).toBe(total);
    for (const message of messages) expect(message.headers['Nats-Msg-Id']).toBe((message.json as { id: string }).id);
    for (const aggregate of aggregates) {
      const sequences = envelopes.filter((e) => e.subject === aggregate).map((e) => e.sequence);
      expect(sequences).toEqual(Array.from({ length: perAggregate }, (_, i) => i + 1));
    }
    expect(messages.every((m) => m.subject === `orders.${TENANT}.created`)).toBe(true);
    await vi.waitFor(async () => expect((await relay.backlog()).pending).toBe(0));
  });

  it('keeps events while NATS is unreachable and publishes each once when it is back', async () => {
    const relay = newRelay();
    relay.start();
    await appendOne('before', 1);
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(1), { timeout: 10_000 });

    await server.stop();
    for (let i = 0; i < 20; i++) await appendOne(`agg-${i % 4}`, i);
    await expect(
      db.transaction(async (tx) => {
        await outbox.append(tx, { type: 'order.created.v1', data: {}, tenantId: TENANT, aggregateId: 'rolled-back' });
        throw new Error('rollback during outage');
      }),
    ).rejects.toThrow();
    // the relay fails against the stopped server and records its attempts
    await vi.waitFor(
      async () => {
        const { rows } = await db.query<{ attempts: number }>('SELECT max(attempts)::int AS attempts FROM events_outbox WHERE published_at IS NULL');
        expect(rows[0]!.attempts).toBeGreaterThan(0);
      },
      { timeout: 15_000 },
    );
    await server.start();

    await vi.waitFor(async () => expect((await relay.backlog()).pending).toBe(0), { timeout: 30_000, interval: 100 });
    const messages = await readStream(jsm, STREAM);
    const envelopes = messages.map((m) => m.json as { id: string; subject: string; sequence: number });
    expect(envelopes).toHaveLength(21);
    expect(new Set(envelopes.map((e) => e.id)).size).toBe(21);
    expect(envelopes.some((e) => e.subject === 'rolled-back')).toBe(false);
    for (let a = 0; a < 4; a++) {
      expect(envelopes.filter((e) => e.subject === `agg-${a}`).map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('refreshes the backlog gauges from the database while every publish fails, so the outbox-stuck alert can fire', async () => {
    const registry = new Registry();
    const metrics = new EventsMetrics(registry);
    const failing: Publisher = { publish: () => Promise.reject(new Error('broker unreachable')) };
    newRelay(failing, { metrics, housekeepingIntervalMs: 100 }).start();
    for (let i = 0; i < 3; i++) await appendOne(`stuck-${i}`, i);
    const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
    await vi.waitFor(async () => expect(await gauge('events_outbox_pending_rows')).toBe(3), { timeout: 10_000, interval: 50 });
    const firstLag = await gauge('events_outbox_relay_lag_seconds');
    await vi.waitFor(async () => expect(await gauge('events_outbox_relay_lag_seconds')).toBeGreaterThan(firstLag), { timeout: 10_000, interval: 50 });
  });

  it('does not duplicate when the relay dies after publishing and before marking rows', async () => {
    for (let i = 0; i < 30; i++) await appendOne(`agg-${i % 3}`, i);
    const real = new JetStreamPublisher(jetstream(nc));
    // Publishes reach the stream, then the process "dies" before it can mark them.
    const dying: Publisher = {
      async publish(subject: string, payload: Uint8Array, options: PublishOptions): Promise<PublishAck> {
        await real.publish(subject, payload, options);
        throw new Error('relay process killed');
      },
    };
    await expect(newRelay(dying).drainOnce()).rejects.toThrow(/30 of 30 publishes failed/);
    expect(await streamCount(jsm, STREAM)).toBe(30);
    expect((await newRelay().backlog()).pending).toBe(30);

    const acks: PublishAck[] = [];
    const recording: Publisher = {
      publish: async (subject, payload, options) => {
        const ack = await real.publish(subject, payload, options);
        acks.push(ack);
        return ack;
      },
    };
    const restarted = newRelay(recording);
    restarted.start();
    await vi.waitFor(async () => expect((await restarted.backlog()).pending).toBe(0), { timeout: 10_000 });
    expect(acks).toHaveLength(30);
    expect(acks.every((ack) => ack.duplicate)).toBe(true);
    expect(await streamCount(jsm, STREAM)).toBe(30);
  });

  it('re-publishes a range after the broker lost its data', async () => {
    const relay = newRelay();
    relay.start();
    for (let i = 0; i < 10; i++) await appendOne('agg', i);
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(10), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await relay.backlog()).pending).toBe(0));
    await jsm.streams.delete(STREAM);
    await jsm.streams.add({ name: STREAM, subjects: ['orders.>'], duplicate_window: 120_000_000_000 });
    const { rows } = await db.query<{ id: number }>('SELECT id FROM events_outbox ORDER BY id');
    expect(await relay.republish({ fromId: rows[3]!.id, toId: rows[5]!.id })).toBe(3);
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(3), { timeout: 10_000 });
    const sequences = (await readStream(jsm, STREAM)).map((m) => (m.json as { sequence: number }).sequence);
    expect(sequences).toEqual([4, 5, 6]);
  });

  /** `db` recording the SQL of every statement run through it. */
  const recording = (statements: string[]): Database =>
    new Proxy(db, {
      get(target, prop) {
        if (prop === 'query') return (sql: string, params?: readonly unknown[]) => (statements.push(sql), target.query(sql, params));
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  const pendingIds = async () =>
    (await db.query<{ id: number }>('SELECT id FROM events_outbox WHERE published_at IS NULL ORDER BY id')).rows.map((r) => r.id);
  const rowsInOrder = async () =>
    (await db.query<{ id: number; event_id: string }>('SELECT id, event_id FROM events_outbox ORDER BY id')).rows;
  /** A publisher that rejects the events whose ids are in `failing`. */
  const failingFor = (failing: ReadonlySet<string>): Publisher => {
    const real = new JetStreamPublisher(jetstream(nc));
    return {
      publish: async (subject, payload, options) => {
        if (failing.has(options.msgId)) throw new Error('publish timed out');
        return real.publish(subject, payload, options);
      },
    };
  };

  it('marks a contiguous run of ids by range, touching no row committed after the read', async () => {
    for (let i = 0; i < 5; i++) await appendOne('agg', i);
    const real = new JetStreamPublisher(jetstream(nc));
    let late: Promise<unknown> | undefined;
    const publisher: Publisher = {
      publish: async (subject, payload, options) => {
        late ??= appendOne('late', 1); // commits while the batch is being published: id after the run
        await late;
        return real.publish(subject, payload, options);
      },
    };
    const statements: string[] = [];
    const relay = newRelay(publisher, { db: recording(statements) });
    expect(await relay.drainOnce()).toBe(5);
    expect(statements.filter((sql) => sql.includes('published_at = now()'))).toEqual([expect.stringContaining('id BETWEEN $1 AND $2')]);
    const rows = await rowsInOrder();
    expect(rows).toHaveLength(6);
    expect(await pendingIds()).toEqual([rows[5]!.id]);
    expect(await newRelay().drainOnce()).toBe(1);
    expect(await pendingIds()).toEqual([]);
    expect(await streamCount(jsm, STREAM)).toBe(6);
  });

  it("stores a transaction's events in one statement just before it commits, each aggregate's in append order", async () => {
    const statements: string[] = [];
    const handedOver: number[][] = [];
    outbox.onCommit((records) => handedOver.push(records.map((r) => r.id)));
    await db.transaction(async (tx) => {
      const counted: Transaction = {
        query: (sql, params) => (statements.push(sql), tx.query(sql, params)),
        afterCommit: (fn) => tx.afterCommit(fn),
        beforeCommit: (fn) => tx.beforeCommit(fn),
      };
      for (const [aggregateId, n] of [['x', 1], ['y', 1], ['x', 2], ['x', 3]] as const) {
        await outbox.append(counted, { type: 'order.created.v1', data: { n }, tenantId: TENANT, aggregateId });
      }
      expect(statements).toEqual([]);
    });
    expect(statements).toHaveLength(1);
    const { rows } = await db.query<{ id: number; aggregate_id: string; sequence: number; payload: string }>('SELECT id, aggregate_id, sequence, payload FROM events_outbox ORDER BY id');
    expect(rows.map((r) => [r.aggregate_id, r.sequence, JSON.parse(r.payload).data.n, JSON.parse(r.payload).sequence])).toEqual([
      ['x', 1, 1, 1],
      ['y', 1, 1, 1],
      ['x', 2, 2, 2],
      ['x', 3, 3, 3],
    ]);
    expect(handedOver).toEqual([rows.map((r) => r.id)]);
    // a later transaction continues each aggregate's sequence
    await appendOne('y', 2);
    expect((await db.query<{ sequence: number }>("SELECT sequence FROM events_outbox WHERE aggregate_id = 'y' ORDER BY id")).rows.map((r) => r.sequence)).toEqual([1, 2]);
  });

  it('marks exactly the published rows by id when their ids have a gap', async () => {
    for (let i = 0; i < 2; i++) await appendOne('agg', i);
    await expect(
      db.transaction(async (tx) => {
        // a row stored and rolled back: its id is used up, a gap (appends are stored just before commit)
        await tx.query("INSERT INTO events_outbox (event_id, tenant_id, aggregate_id, sequence, subject, type, payload) VALUES ($1, $2, 'rolled-back', 1, 'orders.x.created', 'order.created.v1', '{}')", [randomUUID(), TENANT]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    for (let i = 2; i < 4; i++) await appendOne('agg', i);
    const ids = (await rowsInOrder()).map((r) => r.id);
    expect(ids[2]! - ids[1]!).toBe(2);
    const statements: string[] = [];
    expect(await newRelay(undefined, { db: recording(statements) }).drainOnce()).toBe(4);
    expect(statements.filter((sql) => sql.includes('published_at = now()'))).toEqual([expect.stringContaining('id = ANY($1::bigint[])')]);
    expect(await pendingIds()).toEqual([]);
  });

  it('leaves exactly the row whose publish failed in the middle of a batch pending, with its attempt recorded', async () => {
    for (let i = 0; i < 5; i++) await appendOne('agg', i);
    const rows = await rowsInOrder();
    const relay = newRelay(failingFor(new Set([rows[2]!.event_id])));
    await expect(relay.drainOnce()).rejects.toThrow(/1 of 5 publishes failed/);
    expect(await pendingIds()).toEqual([rows[2]!.id]);
    const { rows: attempts } = await db.query<{ id: number; attempts: number; last_error: string | null }>(
      'SELECT id, attempts, last_error FROM events_outbox WHERE attempts > 0',
    );
    expect(attempts).toEqual([{ id: rows[2]!.id, attempts: 1, last_error: 'publish timed out' }]);
    expect(await streamCount(jsm, STREAM)).toBe(4);
    expect(await newRelay().drainOnce()).toBe(1);
    expect(await pendingIds()).toEqual([]);
    const published = (await readStream(jsm, STREAM)).map((m) => m.headers['Nats-Msg-Id']);
    expect(published).toEqual([0, 1, 3, 4, 2].map((i) => rows[i]!.event_id));
  });

  it('drains batch after batch in id order and stops after the batch with a failed publish', async () => {
    for (let i = 0; i < 7; i++) await appendOne(`agg-${i % 2}`, i);
    const rows = await rowsInOrder();
    // batches of two: [0 1] [2 3] [4 5] [6]; row 3 fails, so rows 0-2 are marked and 3-6 stay pending
    const relay = newRelay(failingFor(new Set([rows[3]!.event_id])), { batchSize: 2 });
    await expect(relay.drain()).rejects.toThrow(/1 of 2 publishes failed/);
    expect(await pendingIds()).toEqual(rows.slice(3).map((r) => r.id));
    const statements: string[] = [];
    expect(await newRelay(undefined, { batchSize: 2, db: recording(statements) }).drain()).toBe(4);
    expect(await pendingIds()).toEqual([]);
    const published = (await readStream(jsm, STREAM)).map((m) => m.headers['Nats-Msg-Id']);
    expect(published).toEqual(rows.map((r) => r.event_id));
    // one mark per batch at most (marks queued behind a running one are merged)
    const marks = statements.filter((sql) => sql.includes('published_at = now()')).length;
    expect(marks).toBeGreaterThan(0);
    expect(marks).toBeLessThanOrEqual(2);
  });

  it('wakes a relay of another process by NOTIFY, sent in the append statement itself', async () => {
    // No `outbox`: as a relay in another process, it learns of commits only by NOTIFY (the poll is an hour).
    const relay = newRelay(undefined, { outbox: undefined, pollIntervalMs: 3_600_000 });
    relay.start();
    await vi.waitFor(() => expect(relay.isLeader).toBe(true), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // its first drain and LISTEN are done
    await db.transaction(async (tx) => {
      for (let i = 0; i < 2; i++) await outbox.append(tx, { type: 'order.created.v1', data: { i }, tenantId: TENANT, aggregateId: 'agg' });
    });
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(2), { timeout: 5000 });
  });

  it('hands the fast path exactly the payload it stored', async () => {
    const relay = newRelay();
    relay.start();
    await vi.waitFor(() => expect(relay.isLeader).toBe(true), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // its first drain found nothing: commits take the fast path
    for (let i = 0; i < 3; i++) await appendOne('agg', i);
    await vi.waitFor(async () => expect(await streamCount(jsm, STREAM)).toBe(3), { timeout: 10_000 });
    const { rows } = await db.query<{ event_id: string; payload: string }>('SELECT event_id, payload FROM events_outbox ORDER BY id');
    const messages = await readStream(jsm, STREAM);
    expect(messages.map((m) => ({ event_id: m.headers['Nats-Msg-Id'], payload: new TextDecoder().decode(m.data) }))).toEqual(rows);
    expect(rows.map((r) => (JSON.parse(r.payload) as { sequence: number }).sequence)).toEqual([1, 2, 3]);
  });

  it('purges published rows past retention and keeps pending ones', async () => {
    for (let i = 0; i < 4; i++) await appendOne('agg', i);
    const relay = newRelay();
    expect(await relay.drainOnce()).toBe(4);
    await appendOne('agg', 5);
    expect(await relay.purgePublished(new Date(Date.now() + 60_000))).toBe(4);
    expect((await relay.backlog()).pending).toBe(1);
  });
});

describe('outbox relay leadership on PostgreSQL', () => {
  it('keeps exactly one relay active per service and fails over when it stops', async () => {
    const { db, cleanup } = await createTestPgDatabase();
    try {
      await migrateEventsSchema(db);
      const publisher = new JetStreamPublisher(jetstream(nc));
      const service = `svc-${Math.random().toString(36).slice(2)}`;
      const options = { db, publisher, service, lockRetryMs: 50, pollIntervalMs: 100 };
      const first = new OutboxRelay(options);
      const second = new OutboxRelay(options);
      first.start();
      second.start();
      await vi.waitFor(() => expect(Number(first.isLeader) + Number(second.isLeader)).toBe(1), { timeout: 5000 });
      const [leader, follower] = first.isLeader ? [first, second] : [second, first];
      await leader.stop();
      await vi.waitFor(() => expect(follower.isLeader).toBe(true), { timeout: 5000 });
      await follower.stop();
    } finally {
      await cleanup();
    }
  });
});
