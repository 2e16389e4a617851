import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventsMetrics } from '../metrics/events.metrics.js';
import type { PublishOptions, Publisher } from '../publisher/publisher.js';
import { OutboxDrain } from './outbox.drain.js';
import { FakeOutboxDatabase, type FakeOutboxRow } from './outbox.fakes.js';
import { RowMarks } from './outbox.marks.js';
import { PublicationOrder } from './outbox.order.js';
import { publishRows } from './outbox.publish.js';

const MARK = /published_at = now\(\)/;
/** Every promise callback queued so far has run (the drain waits on nothing else here). */
const settledTick = () => new Promise((resolve) => setImmediate(resolve));

describe('OutboxDrain', () => {
  let db: FakeOutboxDatabase;
  let registry: Registry;
  let order: PublicationOrder;
  /** Row ids in publish order, with how many statements had run at each publish. */
  let published: Array<{ id: number; statements: number; options: PublishOptions }>;
  let failing: Set<number>;

  const row = (id: number, headers = '{"Ce-Type":"order.created.v1"}'): FakeOutboxRow => ({
    id,
    eventId: `e-${id}`,
    subject: 'orders.acme.created',
    payload: `{"n":${id}}`,
    headers,
    createdAt: new Date(),
    publishedAt: null,
    attempts: 0,
    lastError: null,
    requeues: 0,
  });
  const publisher: Publisher = {
    publish: async (_subject, _payload, options) => {
      const id = Number(options.msgId.slice(2));
      published.push({ id, statements: db.statements.length, options });
      if (failing.has(id)) throw new Error('publish timed out');
      return { stream: 'ORDERS', seq: published.length, duplicate: false };
    },
  };
  const drain = (batchSize: number, claimed: (id: number) => boolean = () => false) =>
    new OutboxDrain({
      session: () => db,
      batchSize,
      publish: (rows) => publishRows(publisher, rows, 1000),
      marks: new RowMarks(() => db, new EventsMetrics(registry)),
      order,
      claimed,
      metrics: new EventsMetrics(registry),
    });
  const batches = async () => Object.fromEntries((await registry.getSingleMetric('events_outbox_relay_batches_total')!.get()).values.map((v) => [v.labels['result'], v.value]));

  beforeEach(() => {
    db = new FakeOutboxDatabase();
    registry = new Registry();
    order = new PublicationOrder();
    published = [];
    failing = new Set();
  });

  it('publishes every pending row in id order, batch after batch, reading the next batch before publishing this one', async () => {
    db.rows.push(...[1, 2, 3, 4, 5].map((id) => row(id)));
    expect(await drain(2).all()).toBe(5);
    expect(published.map((p) => p.id)).toEqual([1, 2, 3, 4, 5]);
    const reads = db.statements.filter((s) => s.sql.startsWith('SELECT'));
    expect(reads).toHaveLength(3);
    expect(published[0]!.statements).toBe(2); // the first page and the read ahead
    expect(db.pendingIds()).toEqual([]);
    expect(await batches()).toEqual({ ok: 3, error: 0 });
  });

  it('passes the headers of each row, none for an empty object, parsing each distinct value of a page once', async () => {
    db.rows.push(row(1), row(2, '{}'), row(3));
    await drain(10).all();
    expect(published.map((p) => p.options)).toEqual([
      { msgId: 'e-1', headers: { 'Ce-Type': 'order.created.v1' }, timeoutMs: 1000 },
      { msgId: 'e-2', headers: undefined, timeoutMs: 1000 },
      { msgId: 'e-3', headers: { 'Ce-Type': 'order.created.v1' }, timeoutMs: 1000 },
    ]);
    expect(published[2]!.options.headers).toBe(published[0]!.options.headers);
  });

  it("leaves the fast path's rows alone and marks exactly the rows it published", async () => {
    db.rows.push(row(1), row(2), row(3));
    expect(await drain(10, (id) => id === 2).all()).toBe(2);
    expect(published.map((p) => p.id)).toEqual([1, 3]);
    expect(db.statements.filter((s) => MARK.test(s.sql)).map((s) => s.sql)).toEqual([expect.stringContaining('id = ANY')]);
    expect(db.pendingIds()).toEqual([2]);
  });

  it('stops after a batch with a failed publish: the acknowledged rows marked, the attempt recorded, the order in doubt', async () => {
    db.rows.push(row(1), row(2));
    await drain(2).all(); // nothing left pending: the order admits commits now
    expect(order.admitCommit()).toBe(true);
    db.rows.push(...[3, 4, 5, 6, 7].map((id) => row(id)));
    failing.add(5);
    // batches [3 4] [5 6] [7]: row 5 fails, so 3, 4 and 6 are marked and 7 is not read
    await expect(drain(2).all()).rejects.toThrow('outbox relay: 1 of 2 publishes failed');
    expect(published.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(db.pendingIds()).toEqual([5, 7]);
    expect(db.rows.filter((r) => r.attempts > 0).map((r) => [r.id, r.attempts, r.lastError])).toEqual([[5, 1, 'publish timed out']]);
    expect(order.admitCommit()).toBe(false);
    expect((await batches())['error']).toBe(1);
  });

  it('puts the order in doubt as soon as a publish failed, before recording the attempt', async () => {
    await drain(2).all();
    db.rows.push(row(1));
    failing.add(1);
    const recording = db.hold(/SET attempts/);
    const draining = drain(2).all();
    await recording.reached;
    expect(order.admitCommit()).toBe(false);
    recording.release();
    await expect(draining).rejects.toThrow('1 of 1 publishes failed');
  });

  it('puts the order in doubt when a publish of once() failed', async () => {
    await drain(2).all();
    db.rows.push(row(1));
    failing.add(1);
    await expect(drain(2).once()).rejects.toThrow('1 of 1 publishes failed');
    expect(order.admitCommit()).toBe(false);
  });

  it('rejects and puts the order in doubt when a read fails', async () => {
    await drain(2).all();
    db.failNext(/^SELECT/);
    await expect(drain(2).all()).rejects.toThrow('connection terminated');
    expect(order.admitCommit()).toBe(false);
  });

  it('runs its marks behind the publishes, at most three batches behind', async () => {
    db.rows.push(...[1, 2, 3, 4, 5, 6].map((id) => row(id)));
    const firstMark = db.hold(MARK);
    const draining = drain(1).all();
    await firstMark.reached;
    await settledTick();
    // Batch 1's mark is being written; batches 2 and 3 are queued behind it: the drain waits.
    expect(published.map((p) => p.id)).toEqual([1, 2, 3]);
    firstMark.release();
    expect(await draining).toBe(6);
    const marks = db.statements.filter((s) => MARK.test(s.sql));
    expect(marks.length).toBeLessThan(6); // the ones queued meanwhile were merged
    expect(db.pendingIds()).toEqual([]);
  });

  it('publishes one batch with once(), and leaves the order as it was', async () => {
    db.rows.push(...[1, 2, 3].map((id) => row(id)));
    expect(await drain(2).once()).toBe(2);
    expect(db.pendingIds()).toEqual([3]);
    expect(order.admitCommit()).toBe(false);
    expect(await drain(2).once()).toBe(1);
    expect(await drain(2).once()).toBe(0);
  });
});
