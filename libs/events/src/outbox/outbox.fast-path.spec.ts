import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublishAck, Publisher } from '../publisher/publisher.js';
import { silentLogger } from '../util/logger.js';
import { deferred, FakeOutboxDatabase, type Deferred } from './outbox.fakes.js';
import type { OutboxRecord } from './outbox.js';
import { FastPath } from './outbox.fast-path.js';
import { MARK_FLUSH_DELAY_MS, RowMarks } from './outbox.marks.js';
import { PublicationOrder } from './outbox.order.js';
import { publishRows } from './outbox.publish.js';

const record = (id: number): OutboxRecord => ({ id, eventId: `e-${id}`, subject: 'orders.acme.created', type: 'order.created.v1', payload: `{"n":${id}}`, headers: { 'Ce-Type': 'order.created.v1' } });

describe('FastPath', () => {
  let db: FakeOutboxDatabase;
  let order: PublicationOrder;
  let wakes: number;
  let woken: Deferred;
  /** Acks of the publishes in flight, by row id. */
  let acks: Map<number, Deferred<PublishAck>>;
  let fastPath: FastPath;

  const publisher: Publisher = {
    publish: (_subject, _payload, options) => {
      const ack = deferred<PublishAck>();
      acks.set(Number(options.msgId.slice(2)), ack);
      return ack.promise;
    },
  };
  const ack = (id: number) => acks.get(id)!.resolve({ stream: 'ORDERS', seq: id, duplicate: false });
  const marks = () => db.statements.filter((s) => /published_at = now\(\)/.test(s.sql));

  beforeEach(() => {
    db = new FakeOutboxDatabase();
    order = new PublicationOrder();
    order.drainCompleted(order.drainStarted()); // nothing older pending
    wakes = 0;
    woken = deferred();
    acks = new Map();
    fastPath = new FastPath({ order, publish: (rows) => publishRows(publisher, rows, 1000), marks: new RowMarks(() => db), batchSize: 100, wake: () => (wakes++, woken.resolve()), logger: silentLogger });
  });

  afterEach(() => vi.useRealTimers());

  it('publishes an admitted commit at once, holding its rows until their marks are written together', async () => {
    vi.useFakeTimers();
    fastPath.handOver([record(1), record(2)]);
    expect([...acks.keys()]).toEqual([1, 2]);
    expect(fastPath.holds(1) && fastPath.holds(2)).toBe(true);
    ack(1);
    ack(2);
    fastPath.handOver([record(3)]);
    ack(3);
    await vi.advanceTimersByTimeAsync(MARK_FLUSH_DELAY_MS);
    expect(marks().length).toBe(1);
    expect(marks()[0]!.on).toBe('db');
    expect(fastPath.holds(1) || fastPath.holds(2) || fastPath.holds(3)).toBe(false);
    expect(wakes).toBe(0);
  });

  it('hands a commit the order does not admit back to the drain', () => {
    order.doubt();
    fastPath.handOver([record(1)]);
    expect(acks.size).toBe(0);
    expect(fastPath.holds(1)).toBe(false);
    expect(wakes).toBe(1);
  });

  it('after a failed publish: lets the drain have the row, records the attempt, puts the order in doubt and wakes the drain', async () => {
    db.rows.push({ id: 2, eventId: 'e-2', subject: 's', payload: '{}', headers: '{}', createdAt: new Date(), publishedAt: null, attempts: 0, lastError: null, requeues: 0 });
    fastPath.handOver([record(1), record(2)]);
    ack(1);
    acks.get(2)!.reject(new Error('publish timed out'));
    await woken.promise; // before the marks are due
    expect(wakes).toBe(1);
    expect(fastPath.holds(2)).toBe(false);
    expect(fastPath.holds(1)).toBe(true); // published, waiting for its mark
    expect(order.admitCommit()).toBe(false);
    await vi.waitFor(() => expect(db.rows[0]!.attempts).toBe(1));
    expect(db.rows[0]!.lastError).toBe('publish timed out');
  });

  it('settles once the publishes in flight are acknowledged and their marks written', async () => {
    const log: string[] = [];
    fastPath.handOver([record(1)]);
    const settling = fastPath.settle().then(() => log.push(`settled, ${marks().length} mark written`));
    setImmediate(() => {
      log.push('acknowledged');
      ack(1);
    });
    await settling;
    expect(log).toEqual(['acknowledged', 'settled, 1 mark written']);
    expect(fastPath.holds(1)).toBe(false);
  });
});
