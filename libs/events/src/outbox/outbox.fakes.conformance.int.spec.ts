import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventsMetricName, EventsMetrics } from '../metrics/events.metrics.js';
import type { PublishAck, PublishOptions, Publisher } from '../publisher/publisher.js';
import type { Database, Queryable } from '../storage/database.js';
import { adminQuery, testDatabaseEngines } from '../testing/databases.js';
import { acceptAnyEvent, migrateEventsSchema } from '../testing/event-fixtures.js';
import { MessageScope } from '../transport/message-scope.js';
import { silentLogger } from '../util/logger.js';
import { OutboxDrain } from './outbox.drain.js';
import { deferred, FakeOutboxDatabase } from './outbox.fakes.js';
import { OutboxHousekeeping } from './outbox.housekeeping.js';
import { Outbox, type OutboxEventInput, type OutboxRecord } from './outbox.js';
import { RelayLeadership } from './outbox.leadership.js';
import { DelayedMarks, RowMarks } from './outbox.marks.js';
import { PublicationOrder } from './outbox.order.js';
import { publishRows } from './outbox.publish.js';
import { republishRange } from './outbox.republish.js';
import { WakeSignal } from './outbox.wake.js';

// FakeOutboxDatabase against the engines it stands in for: the same bodies drive the library's
// own outbox, drain, marks, republish, housekeeping and leadership on all three, and read the
// table back only to observe (the fake's rows, or a SELECT on a real engine).

/** An outbox row as observed, whatever holds it. */
interface StoredRow {
  readonly id: number;
  readonly eventId: string;
  readonly payload: string;
  readonly createdAt: Date;
  readonly published: boolean;
  readonly attempts: number;
  readonly lastError: string | null;
}

interface OutboxStore {
  readonly db: Database;
  /** Every committed row in id order, as a second reader sees it. */
  rows(): Promise<StoredRow[]>;
  /** Resolves once `count` appends wait for another transaction's aggregate lock. */
  appendsBlocked(count: number): Promise<void>;
  cleanup(): Promise<void>;
}

interface Engine {
  readonly name: string;
  open(): Promise<OutboxStore>;
  /** Another session's try on a held key is refused; PGlite (one process per data folder) grants it. */
  readonly exclusiveLocks: boolean;
  /** Transactions overlap; PGlite runs them one after another. */
  readonly concurrent: boolean;
}

const APPLICATION = 'outbox-fakes-conformance';
const [[, openPg], [, openPglite]] = testDatabaseEngines(APPLICATION);

const real = (open: typeof openPg | typeof openPglite) => async (): Promise<OutboxStore> => {
  const { db, cleanup } = await open();
  await migrateEventsSchema(db);
  return {
    db,
    cleanup,
    rows: async () => {
      const { rows } = await db.query<{ id: number; event_id: string; payload: string; created_at: Date; published: boolean; attempts: number; last_error: string | null }>(
        'SELECT id, event_id::text AS event_id, payload, created_at, published_at IS NOT NULL AS published, attempts, last_error FROM events_outbox ORDER BY id',
      );
      return rows.map((row) => ({ id: row.id, eventId: row.event_id, payload: row.payload, createdAt: row.created_at, published: row.published, attempts: row.attempts, lastError: row.last_error }));
    },
    // Server-wide view: only this file's connections (named by the prefix) count.
    appendsBlocked: (count) =>
      vi.waitFor(
        async () => {
          const [row] = await adminQuery<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 AND wait_event_type = 'Lock' AND query LIKE 'WITH input AS%'`,
            [`${APPLICATION}-%`],
          );
          expect(row?.n).toBe(count);
        },
        { timeout: 10_000 },
      ),
  };
};

const engines: Engine[] = [
  {
    name: 'FakeOutboxDatabase',
    open: async () => {
      const db = new FakeOutboxDatabase();
      const appends = () => db.statements.filter((s) => s.sql.startsWith('WITH input AS')).length;
      let before = 0;
      return {
        db,
        cleanup: () => db.close(),
        rows: async () =>
          db.rows.map((row) => ({ id: row.id, eventId: row.eventId, payload: row.payload, createdAt: row.createdAt, published: row.publishedAt !== null, attempts: row.attempts, lastError: row.lastError })),
        // The fake has no lock view: an append statement issued after the holder's is a waiting one.
        appendsBlocked: async (count) => {
          await vi.waitFor(() => expect(appends() - before).toBeGreaterThanOrEqual(count + 1));
          before = appends();
        },
      };
    },
    exclusiveLocks: true,
    concurrent: true,
  },
  { name: 'PGlite', open: real(openPglite), exclusiveLocks: false, concurrent: false },
  { name: 'PostgreSQL', open: real(openPg), exclusiveLocks: true, concurrent: true },
];

interface Envelope {
  readonly id: string;
  readonly subject: string;
  readonly tenantid: string;
  readonly sequence: number;
  readonly data: { n: number };
}
const envelope = (row: { payload: string }) => JSON.parse(row.payload) as Envelope;
/** `[tenant, aggregate, sequence, n]` of each row: what ordering consumers rely on. */
const numbering = (rows: readonly StoredRow[]) => rows.map(envelope).map((e) => [e.tenantid, e.subject, e.sequence, e.data.n]);

/** Acknowledges every publish but those of `failing` event ids. */
class RecordingPublisher implements Publisher {
  readonly published: Array<{ subject: string; payload: string; options: PublishOptions }> = [];
  readonly failing = new Set<string>();

  async publish(subject: string, payload: Uint8Array, options: PublishOptions): Promise<PublishAck> {
    if (this.failing.has(options.msgId)) throw new Error('publish timed out');
    this.published.push({ subject, payload: Buffer.from(payload).toString('utf8'), options });
    return { stream: 'ORDERS', seq: this.published.length, duplicate: false };
  }
}

const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe.each(engines)('outbox storage on $name', (engine) => {
  let store: OutboxStore;
  let db: Database;
  let outbox: Outbox;
  let publisher: RecordingPublisher;

  const event = (aggregateId: string, n: number, tenantId = 'acme'): OutboxEventInput => ({ type: 'order.created.v1', data: { n }, tenantId, aggregateId });
  const commit = (events: readonly OutboxEventInput[], through = outbox) =>
    db.transaction(async (tx) => {
      for (const e of events) await through.append(tx, e);
    });
  const drain = (batchSize: number, options: { session?: Queryable; claimed?: (id: number) => boolean } = {}) => {
    const session = options.session ?? db;
    return new OutboxDrain({
      session: () => session,
      batchSize,
      publish: (rows) => publishRows(publisher, rows, 1000),
      marks: new RowMarks(() => session),
      order: new PublicationOrder(),
      claimed: options.claimed ?? (() => false),
    });
  };
  /** A transaction whose events are stored and which then waits for `release()` to commit (or fail with `error`). */
  const holdOpen = (input: OutboxEventInput, error?: Error) => {
    const stored = deferred();
    const gate = deferred();
    const done = db.transaction(async (tx) => {
      await outbox.append(tx, input);
      // Registered from a callback, so it runs after the outbox's statement.
      tx.beforeCommit(async () =>
        tx.beforeCommit(async () => {
          stored.resolve();
          await gate.promise;
          if (error) throw error;
        }),
      );
    });
    done.catch(() => undefined); // awaited by the test; a rollback must not go unhandled meanwhile
    return { stored: stored.promise, release: () => gate.resolve(), done };
  };
  const ids = (rows: readonly StoredRow[], published?: boolean) => rows.filter((row) => published === undefined || row.published === published).map((row) => row.id);
  const publishedIds = async () => {
    const byEventId = new Map((await store.rows()).map((row) => [row.eventId, row.id]));
    return publisher.published.map((p) => byEventId.get(p.options.msgId));
  };

  beforeEach(async () => {
    store = await engine.open();
    db = store.db;
    outbox = new Outbox({ source: 'order', validator: acceptAnyEvent });
    publisher = new RecordingPublisher();
  });

  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await store.cleanup();
  });

  it('stores a transaction’s events in append order, numbered per aggregate, and the drain reads them back as committed', async () => {
    const handed: OutboxRecord[][] = [];
    outbox.onCommit((records) => handed.push([...records]));
    // Another process's outbox: no relay listens to it, so it notifies (the other statement).
    const elsewhere = new Outbox({ source: 'order', validator: acceptAnyEvent });
    await commit([event('a', 1), event('b', 2), event('a', 3), event('c', 4), event('a', 5, 'globex')]);
    await commit([event('b', 6), event('a', 7), event('a', 8)], elsewhere);

    const rows = await store.rows();
    expect(ids(rows)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(numbering(rows)).toEqual([
      ['acme', 'a', 1, 1],
      ['acme', 'b', 1, 2],
      ['acme', 'a', 2, 3],
      ['acme', 'c', 1, 4],
      ['globex', 'a', 1, 5],
      ['acme', 'b', 2, 6],
      ['acme', 'a', 3, 7],
      ['acme', 'a', 4, 8],
    ]);
    expect(rows.map((row) => row.eventId)).toEqual(rows.map((row) => envelope(row).id));
    expect(rows.every((row) => !row.published && row.attempts === 0 && row.lastError === null)).toBe(true);

    // The in-process hand-over carries exactly what was stored.
    expect(handed).toHaveLength(1);
    expect(handed[0]!.map((r) => ({ id: r.id, eventId: r.eventId, payload: r.payload }))).toEqual(rows.slice(0, 5).map((row) => ({ id: row.id, eventId: row.eventId, payload: row.payload })));

    // Three pages of at most 3: every row once, in id order, as stored.
    expect(await drain(3).all()).toBe(8);
    expect(await publishedIds()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(publisher.published.map((p) => p.payload)).toEqual(rows.map((row) => row.payload));
    expect(publisher.published.map((p) => p.subject)).toEqual(['acme', 'acme', 'acme', 'acme', 'globex', 'acme', 'acme', 'acme'].map((t) => `orders.${t}.created`));
    expect(publisher.published.map((p) => p.options.headers)).toEqual(rows.map(() => ({ 'Ce-Type': 'order.created.v1' })));
    expect(ids(await store.rows(), false)).toEqual([]);
  });

  it('stores nothing of a transaction that throws, and it takes no id or sequence', async () => {
    await commit([event('a', 1)]);
    await expect(
      db.transaction(async (tx) => {
        await outbox.append(tx, event('a', 2));
        await outbox.append(tx, event('b', 3));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await commit([event('a', 4), event('b', 5)]);

    const rows = await store.rows();
    expect(ids(rows)).toEqual([1, 2, 3]);
    expect(numbering(rows)).toEqual([
      ['acme', 'a', 1, 1],
      ['acme', 'a', 2, 4],
      ['acme', 'b', 1, 5],
    ]);
  });

  it('gives back the sequences of a transaction rolled back after its events were stored', async () => {
    await commit([event('a', 1)]);
    await expect(
      db.transaction(async (tx) => {
        await outbox.append(tx, event('a', 2));
        await outbox.append(tx, event('b', 3));
        // Registered from a callback, so it runs after the outbox's statement: the commit fails late.
        tx.beforeCommit(async () =>
          tx.beforeCommit(async () => {
            throw new Error('commit refused');
          }),
        );
      }),
    ).rejects.toThrow('commit refused');
    await commit([event('a', 4), event('b', 5)]);

    const rows = await store.rows();
    // Ids are not transactional (bigserial): the rolled-back rows' ids stay used.
    expect(ids(rows)).toEqual([1, 4, 5]);
    expect(numbering(rows)).toEqual([
      ['acme', 'a', 1, 1],
      ['acme', 'a', 2, 4],
      ['acme', 'b', 1, 5],
    ]);
  });

  it('commits whatever a commit listener throws', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    outbox.onCommit(() => {
      throw new Error('listener broke');
    });
    await expect(commit([event('a', 1)])).resolves.toBeUndefined();
    expect(ids(await store.rows())).toEqual([1]);
    await vi.waitFor(() => expect(warning).toHaveBeenCalledWith(expect.stringContaining('listener broke')));
  });

  it('stores the events of the kept message scopes of a batch transaction and drops the others', async () => {
    await db.transaction(async (tx) => {
      const kept = new MessageScope(tx);
      const dropped = new MessageScope(tx);
      const later = new MessageScope(tx);
      await outbox.append(kept, event('a', 1));
      await outbox.append(dropped, event('a', 2));
      await outbox.append(later, event('b', 3));
      await outbox.append(kept, event('a', 4));
      kept.keep();
      later.keep();
    });
    expect(numbering(await store.rows())).toEqual([
      ['acme', 'a', 1, 1],
      ['acme', 'a', 2, 4],
      ['acme', 'b', 1, 3],
    ]);
  });

  it('marks what was acknowledged and records the attempts of what was not, page after page', async () => {
    await commit([1, 2, 3, 4, 5, 6, 7].map((n) => event(`o-${n}`, n)));
    const eventIds = (await store.rows()).map((row) => row.eventId);
    publisher.failing.add(eventIds[2]!).add(eventIds[5]!);

    // Stops after the first page with a failure: [1, 2], then [3, 4] where 3 fails.
    await expect(drain(2).all()).rejects.toThrow('outbox relay: 1 of 2 publishes failed');
    let rows = await store.rows();
    expect(ids(rows, true)).toEqual([1, 2, 4]);
    expect(rows.map((row) => [row.attempts, row.lastError])).toEqual([[0, null], [0, null], [1, 'publish timed out'], [0, null], [0, null], [0, null], [0, null]]);

    // A drain of its own reads what the first left: [3, 5] (marked by list), then [6, 7] where 6 fails.
    publisher.failing.delete(eventIds[2]!);
    await expect(drain(2).all()).rejects.toThrow('outbox relay: 1 of 2 publishes failed');
    rows = await store.rows();
    expect(ids(rows, false)).toEqual([6]);
    expect(rows.map((row) => row.attempts)).toEqual([0, 0, 1, 0, 0, 1, 0]);

    publisher.failing.clear();
    expect(await drain(2).once()).toBe(1);
    expect(await drain(2).once()).toBe(0);
    expect(await publishedIds()).toEqual([1, 2, 4, 3, 5, 7, 6]);
    expect(ids(await store.rows(), false)).toEqual([]);
  });

  it('leaves the rows the fast path holds to it', async () => {
    await commit([event('a', 1), event('b', 2), event('c', 3)]);
    expect(await drain(10, { claimed: (id) => id === 2 }).all()).toBe(2);
    expect(ids(await store.rows(), false)).toEqual([2]);
    expect(await drain(10).all()).toBe(1);
    expect(await publishedIds()).toEqual([1, 3, 2]);
  });

  it('marks exactly the rows given, by range or by list, and records failed attempts', async () => {
    await commit([1, 2, 3, 4, 5, 6].map((n) => event('a', n)));
    const marks = new RowMarks(() => db);
    await marks.markPublished([]);
    await marks.markPublished([4, 2, 3]); // a contiguous run: id BETWEEN 2 AND 4
    await marks.markPublished([6, 1]); // not one: by list, so 2…5 are not touched again
    expect(ids(await store.rows(), false)).toEqual([5]);

    await expect(marks.recordFailures({ total: 2, published: [], failed: [5], firstError: 'nats down' })).rejects.toThrow('outbox relay: 1 of 2 publishes failed');
    await expect(marks.recordFailures({ total: 1, published: [], failed: [5], firstError: new Error('x'.repeat(1200)) })).rejects.toThrow('1 of 1');
    const rows = await store.rows();
    expect(rows.map((row) => row.attempts)).toEqual([0, 0, 0, 0, 2, 0]);
    expect(rows[4]!.lastError).toBe('x'.repeat(1000));

    // write(): the published ones marked, then the failed ones' attempt.
    await expect(marks.write({ total: 2, published: [], failed: [5, 6], firstError: new Error('timeout') })).rejects.toThrow('2 of 2');
    expect((await store.rows()).map((row) => [row.published, row.attempts])).toEqual([
      [true, 0],
      [true, 0],
      [true, 0],
      [true, 0],
      [false, 3],
      [true, 1],
    ]);
  });

  it('writes the fast path’s delayed marks on flush, or at once when a batch is due', async () => {
    await commit([event('a', 1), event('b', 2), event('c', 3)]);
    const written: number[][] = [];
    const delayed = new DelayedMarks(new RowMarks(() => db), 3, (done) => written.push([...done]), silentLogger);
    delayed.add([1]);
    delayed.add([3]);
    await delayed.flush();
    expect(written).toEqual([[1, 3]]);
    expect(ids(await store.rows(), false)).toEqual([2]);

    const atOnce = new DelayedMarks(new RowMarks(() => db), 1, (done) => written.push([...done]), silentLogger);
    atOnce.add([2]);
    await atOnce.flush(); // nothing left to write: waits for the write the batch started
    expect(written).toEqual([[1, 3], [2]]);
    expect(ids(await store.rows(), false)).toEqual([]);
  });

  it('republishes the published rows of an id range or a time range, and notifies the relays', async () => {
    const notified: string[] = [];
    const unlisten = await db.listen('events_outbox', (payload) => notified.push(payload));
    // Only Date is faked: created_at comes from the envelope's time, the engines' I/O keeps real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let n = 0; n < 6; n++) {
      vi.setSystemTime(at(n));
      await commit([event(`o-${n}`, n)]);
    }
    vi.useRealTimers();
    const marks = new RowMarks(() => db);
    await marks.markPublished([1, 2, 3, 4, 5]);
    expect((await store.rows()).map((row) => row.createdAt.getTime())).toEqual([0, 1, 2, 3, 4, 5].map((n) => at(n).getTime()));

    expect(await republishRange(db, { fromId: 2, toId: 3 })).toBe(2);
    expect(await republishRange(db, { fromId: 2, toId: 4 })).toBe(1); // 2 and 3 are pending already
    expect(ids(await store.rows(), false)).toEqual([2, 3, 4, 6]);
    await marks.markPublished([2, 3, 4]);

    expect(await republishRange(db, { from: at(1), to: at(3) })).toBe(2); // to is exclusive
    expect(await republishRange(db, { toId: 1 })).toBe(1);
    expect(await republishRange(db, { from: at(4) })).toBe(1); // 6 is pending: not counted
    expect(await republishRange(db, { fromId: 1, to: at(2) })).toBe(0);
    await expect(republishRange(db, {})).rejects.toThrow(RangeError);
    expect(ids(await store.rows(), false)).toEqual([1, 2, 3, 5, 6]);

    expect(await drain(10).all()).toBe(5);
    expect(await publishedIds()).toEqual([1, 2, 3, 5, 6]);
    // The appends notified with the source, each republish (even of nothing) with 'republish'.
    await vi.waitFor(() => expect(notified.filter((p) => p === 'republish')).toHaveLength(6));
    expect(notified.filter((p) => p === 'order')).toHaveLength(6);
    await unlisten();
  });

  it('purges published rows past retention and counts the backlog', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let n = 0; n < 4; n++) {
      vi.setSystemTime(at(n));
      await commit([event('a', n)]);
    }
    vi.useRealTimers();
    const housekeeping = (registry?: Registry) =>
      new OutboxHousekeeping({ db, retentionMs: 86_400_000, intervalMs: 60_000, metrics: registry && new EventsMetrics(registry), logger: silentLogger });
    await new RowMarks(() => db).markPublished([1, 2]);

    expect(await housekeeping().purgePublished(at(0))).toBe(0); // published now, long after
    expect(await housekeeping().purgePublished(new Date(Date.now() + 60_000))).toBe(2);
    expect(await housekeeping().purgePublished(new Date(Date.now() + 60_000))).toBe(0);
    expect(ids(await store.rows())).toEqual([3, 4]);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at(92));
    expect(await housekeeping().backlog()).toEqual({ pending: 2, oldestAgeSeconds: 90 });
    const registry = new Registry();
    await housekeeping(registry).runIfDue();
    const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
    expect([await gauge(EventsMetricName.OutboxPending), await gauge(EventsMetricName.OutboxLag)]).toEqual([2, 90]);
    vi.useRealTimers();

    await new RowMarks(() => db).markPublished([3, 4]);
    expect(await housekeeping().backlog()).toEqual({ pending: 0, oldestAgeSeconds: 0 });
  });

  it('notifies other processes of a commit on the outbox’s channel, never of a rollback or to an in-process relay', async () => {
    const notified: string[] = [];
    const unlisten = await db.listen('orders_outbox', (payload) => notified.push(payload));
    const notifying = new Outbox({ source: 'order', validator: acceptAnyEvent, notifyChannel: 'orders_outbox' });
    const relayed = new Outbox({ source: 'relayed', validator: acceptAnyEvent, notifyChannel: 'orders_outbox' });
    const billing = new Outbox({ source: 'billing', validator: acceptAnyEvent, notifyChannel: 'orders_outbox' });
    relayed.onCommit(() => undefined);

    await expect(
      db.transaction(async (tx) => {
        await notifying.append(tx, event('a', 1));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await commit([event('a', 2), event('b', 3)], notifying);
    await commit([event('a', 4)], relayed);
    await commit([event('c', 5)], billing);
    // Delivered in commit order: billing's last, so anything else would be in between.
    await vi.waitFor(() => expect(notified).toContain('billing'));
    expect(notified).toEqual(['order', 'billing']);
    await unlisten();
  });

  it('wakes the drain on another process’s commit and hands the in-process outbox’s commits over', async () => {
    const wake = new WakeSignal(600_000);
    const handed: OutboxRecord[][] = [];
    const unsubscribe = await wake.subscribe({ db, channel: 'events_outbox', outbox, onCommit: (records) => handed.push([...records]), logger: silentLogger });
    const stop = new AbortController();
    wake.passStarted();
    let woken = false;
    const waiting = wake.wait(stop.signal).then(() => (woken = true));

    await commit([event('a', 1), event('a', 2)]);
    expect(handed.map((records) => records.map((r) => r.id))).toEqual([[1, 2]]);
    expect(woken).toBe(false); // the hand-over is the relay's: it wakes the drain itself when it must

    await commit([event('b', 3)], new Outbox({ source: 'order', validator: acceptAnyEvent }));
    const timeout = setTimeout(() => stop.abort(), 10_000); // not woken: the test fails below
    await waiting;
    clearTimeout(timeout);
    expect(stop.signal.aborted).toBe(false);
    expect(handed).toHaveLength(1);
    await unsubscribe();
  });

  it('leads with the advisory lock and drains through its session, then lets it go', async () => {
    await commit([event('a', 1), event('b', 2)]);
    const leadership = new RelayLeadership({ db, service: 'order', lockRetryMs: 10, backoff: { initialMs: 10, maxMs: 100 }, logger: silentLogger });
    const stop = new AbortController();
    let during: { leader: boolean; published: number; rival: boolean; otherKey: boolean } | undefined;
    await leadership.run(stop.signal, async (term) => {
      const published = await drain(10, { session: term.session }).all();
      const rival = await db.tryAdvisoryLock('outbox-relay:order');
      const otherKey = await db.tryAdvisoryLock('outbox-relay:billing');
      during = { leader: leadership.isLeader, published, rival: rival !== null, otherKey: otherKey !== null };
      await rival?.release();
      await otherKey?.release();
      stop.abort();
    });
    expect(during).toEqual({ leader: true, published: 2, rival: !engine.exclusiveLocks, otherKey: true });
    expect(leadership.isLeader).toBe(false);
    // Another session sees the lock session's marks.
    expect(ids(await store.rows(), false)).toEqual([]);
    const again = await db.tryAdvisoryLock('outbox-relay:order');
    expect(again).not.toBeNull();
    await again!.release();
  });

  it.skipIf(!engine.concurrent)('hides an open transaction’s rows from other readers, and reads in id order whichever commits first', async () => {
    const first = holdOpen(event('a', 1));
    await first.stored; // id 1 is taken, not committed
    await commit([event('b', 2)]);
    expect(ids(await store.rows())).toEqual([2]);
    first.release();
    await first.done;
    expect(ids(await store.rows())).toEqual([1, 2]);
    expect(await drain(10).all()).toBe(2);
    expect(await publishedIds()).toEqual([1, 2]);
  });

  it.skipIf(!engine.concurrent)('makes an append to an aggregate wait for the open transaction that appended to it', async () => {
    // The holder commits: the waiting append comes after it.
    let holder = holdOpen(event('a', 0));
    await holder.stored;
    let waiting = commit([event('a', 1), event('b', 2)]);
    await store.appendsBlocked(1);
    expect(ids(await store.rows())).toEqual([]);
    holder.release();
    await Promise.all([holder.done, waiting]);
    expect(numbering(await store.rows())).toEqual([
      ['acme', 'a', 1, 0],
      ['acme', 'a', 2, 1],
      ['acme', 'b', 1, 2],
    ]);

    // The holder rolls back: its sequence goes to the waiting append.
    holder = holdOpen(event('a', 3), new Error('rolled back'));
    await holder.stored;
    waiting = commit([event('a', 4)]);
    await store.appendsBlocked(1);
    holder.release();
    await expect(holder.done).rejects.toThrow('rolled back');
    await waiting;
    const rows = await store.rows();
    expect(rows).toHaveLength(4);
    expect(numbering(rows)[3]).toEqual(['acme', 'a', 3, 4]);
  });
});
