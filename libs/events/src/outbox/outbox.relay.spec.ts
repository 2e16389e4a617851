import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublishAck, PublishOptions, Publisher } from '../publisher/publisher.js';
import { acceptAnyEvent } from '../testing/event-fixtures.js';
import { deferred, FakeOutboxDatabase, type Deferred, type FakeOutboxRow } from './outbox.fakes.js';
import { Outbox } from './outbox.js';
import { OutboxRelay } from './outbox.relay.js';

/**
 * A publisher whose acknowledgements the spec gives (or that acknowledges at once after
 * `autoAck()`). At every publish it notes the committed rows older than the published one that
 * are neither acknowledged nor being published: the rows that publish overtakes.
 */
class OrderCheckingPublisher implements Publisher {
  /** Row ids, in publish order. */
  readonly issued: number[] = [];
  readonly overtaken: Array<{ published: number; pending: number[] }> = [];
  private readonly inFlight = new Map<number, Deferred<PublishAck>>();
  /** Row id → its `requeues` when acknowledged: a republished row is pending again. */
  private readonly acked = new Map<number, number>();
  private readonly rejecting = new Set<number>();
  private auto = false;

  constructor(private readonly db: FakeOutboxDatabase) {}

  publish(_subject: string, _payload: Uint8Array, options: PublishOptions): Promise<PublishAck> {
    const row = this.db.rows.find((r) => r.eventId === options.msgId)!;
    const pending = this.db.rows.filter((r) => r.id < row.id && !this.isOut(r)).map((r) => r.id);
    if (pending.length > 0) this.overtaken.push({ published: row.id, pending });
    this.issued.push(row.id);
    const ack = deferred<PublishAck>();
    this.inFlight.set(row.id, ack);
    if (this.rejecting.delete(row.id)) this.reject(row.id);
    else if (this.auto) this.ack(row.id);
    return ack.promise;
  }

  /** Acknowledge every publish in flight and every later one at once. */
  autoAck(): void {
    this.auto = true;
    for (const id of [...this.inFlight.keys()]) this.ack(id);
  }

  ack(id: number): void {
    const row = this.db.rows.find((r) => r.id === id)!;
    this.acked.set(id, row.requeues);
    this.take(id).resolve({ stream: 'ORDERS', seq: this.issued.length, duplicate: false });
  }

  reject(id: number): void {
    this.take(id).reject(new Error('publish timed out'));
  }

  /** The next publish of row `id` fails. */
  rejectNext(id: number): void {
    this.rejecting.add(id);
  }

  private take(id: number): Deferred<PublishAck> {
    const ack = this.inFlight.get(id);
    if (!ack) throw new Error(`row ${id} is not being published`);
    this.inFlight.delete(id);
    return ack;
  }

  private isOut(row: FakeOutboxRow): boolean {
    return this.inFlight.has(row.id) || this.acked.get(row.id) === row.requeues;
  }
}

const READ = /^SELECT id, event_id, subject, payload/;

describe('OutboxRelay: the fast path never overtakes an older pending row', () => {
  let db: FakeOutboxDatabase;
  let publisher: OrderCheckingPublisher;
  let outbox: Outbox;
  /** Another process's outbox: its commits reach the relay by NOTIFY only. */
  let elsewhere: Outbox;
  let relay: OutboxRelay;

  beforeEach(() => {
    db = new FakeOutboxDatabase();
    publisher = new OrderCheckingPublisher(db);
    outbox = new Outbox({ source: 'order', validator: acceptAnyEvent });
    elsewhere = new Outbox({ source: 'order', validator: acceptAnyEvent });
    // No poll: the relay drains only when woken, so each step below is the one the spec takes.
    relay = new OutboxRelay({ db, publisher, service: 'order', outbox, batchSize: 2, pollIntervalMs: 3_600_000, lockRetryMs: 10, backoff: { initialMs: 10, maxMs: 20 } });
  });

  afterEach(async () => {
    db.releaseHolds();
    publisher.autoAck();
    await relay.stop();
  });

  const append = (via: Outbox, n: number) =>
    db.transaction((tx) => via.append(tx, { type: 'order.created.v1', data: { n }, tenantId: 'acme', aggregateId: 'agg' }));
  /** Row ids are 1, 2, 3 … in append order. */
  const commit = (n: number) => append(outbox, n);
  const commitElsewhere = (n: number) => append(elsewhere, n);
  const everythingPublished = () => vi.waitFor(() => expect(db.pendingIds()).toEqual([]), { timeout: 5000 });
  /** The first pass of the term is over (its housekeeping ran): with nothing pending, commits take the fast path. */
  const firstPassDone = () => vi.waitFor(() => expect(db.statements.some((s) => s.sql.startsWith('DELETE FROM events_outbox'))).toBe(true), { timeout: 5000 });

  it('publishes a backlog found on taking the lead, batch after batch, before a commit of this process', async () => {
    for (let n = 1; n <= 5; n++) await commitElsewhere(n);
    relay.start();
    await vi.waitFor(() => expect(publisher.issued).toEqual([1, 2]));
    await commit(6);
    expect(publisher.issued).toEqual([1, 2]); // handed to the drain
    publisher.autoAck();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 2, 3, 4, 5, 6]);
    expect(publisher.overtaken).toEqual([]);
  });

  it('keeps a commit handed to the drain after its last read behind until a drain has read it', async () => {
    await commitElsewhere(1);
    relay.start();
    await vi.waitFor(() => expect(publisher.issued).toEqual([1]));
    await commit(2); // after the drain read row 1 and nothing else
    const nextRead = db.hold(READ);
    publisher.ack(1);
    await nextRead.reached;
    await commit(3);
    expect(publisher.issued).toEqual([1]);
    publisher.autoAck();
    nextRead.release();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 2, 3]);
    expect(publisher.overtaken).toEqual([]);
  });

  it('after a fast-path publish fails, publishes later commits only behind the failed row', async () => {
    relay.start();
    await firstPassDone();
    const read = db.hold(READ);
    publisher.rejectNext(1);
    await commit(1);
    expect(publisher.issued).toEqual([1]); // the fast path: no read
    await read.reached; // the failure woke the drain
    await commit(2);
    expect(publisher.issued).toEqual([1]);
    publisher.autoAck();
    read.release();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 1, 2]);
    expect(db.rows.map((row) => row.attempts)).toEqual([1, 0]);
    expect(publisher.overtaken).toEqual([]);
  });

  it('after a republish, publishes later commits only behind the re-queued rows', async () => {
    relay.start();
    await firstPassDone();
    publisher.autoAck();
    await commit(1);
    await commit(2);
    await everythingPublished();
    const read = db.hold(READ);
    expect(await relay.republish({ fromId: 1, toId: 2 })).toBe(2);
    await read.reached;
    await commit(3);
    expect(publisher.issued).toEqual([1, 2]);
    read.release();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 2, 1, 2, 3]);
    expect(publisher.overtaken).toEqual([]);
  });

  it('after losing and retaking the lead, publishes what was committed meanwhile before a new commit', async () => {
    publisher.autoAck();
    relay.start();
    await firstPassDone();
    db.foreignLocks.add('outbox-relay:order'); // another replica leads for a while
    db.loseLock();
    await vi.waitFor(() => expect(relay.isLeader).toBe(false));
    await commit(1); // no relay leads here: the row waits
    const read = db.hold(READ);
    db.foreignLocks.clear();
    await read.reached;
    expect(relay.isLeader).toBe(true);
    await commit(2);
    expect(publisher.issued).toEqual([]);
    read.release();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 2]);
    expect(publisher.overtaken).toEqual([]);
  });

  it('after a drained publish fails, publishes later commits only behind the failed row', async () => {
    relay.start();
    await firstPassDone();
    const recording = db.hold(/SET attempts = attempts \+ 1/);
    publisher.rejectNext(1);
    await commitElsewhere(1); // NOTIFY: the drain reads and publishes it
    await recording.reached; // the drain is recording the failed attempt
    await commit(2);
    expect(publisher.issued).toEqual([1]); // handed to the drain
    publisher.autoAck();
    recording.release();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 1, 2]);
    expect(publisher.overtaken).toEqual([]);
  });

  it('after a fast-path publish fails during a drain, that drain does not let later commits overtake the failed row', async () => {
    relay.start();
    await firstPassDone();
    await commit(1); // the fast path: in flight
    await commitElsewhere(2); // NOTIFY: a drain reads rows 1 (the fast path's: skipped) and 2
    await vi.waitFor(() => expect(publisher.issued).toEqual([1, 2]));
    publisher.reject(1);
    await vi.waitFor(() => expect(db.rows[0]!.attempts).toBe(1));
    const nextRead = db.hold(READ);
    publisher.ack(2); // the drain ends
    await nextRead.reached; // the drain woken by the failure
    await commit(3);
    expect(publisher.issued).toEqual([1, 2]);
    publisher.autoAck();
    nextRead.release();
    await everythingPublished();
    expect(publisher.issued).toEqual([1, 2, 1, 3]);
    expect(publisher.overtaken).toEqual([]);
  });
});
