import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Queryable } from '../storage/database.js';
import { errorFields, type EventsLogger } from '../util/logger.js';
import type { BatchOutcome } from './outbox.publish.js';

/**
 * Published outbox row ids waiting for their mark (`published_at`). One write at a time; the ids
 * that queue meanwhile are merged into the next write, so a relay whose marks are slower than
 * its publishes issues fewer, larger UPDATEs instead of stalling on each one. After a failed
 * write nothing more is written: the rows stay pending and are published again (de-duplicated
 * by `Nats-Msg-Id`), and the owner learns of the failure from {@link waitBelow}.
 */
export class MarkQueue {
  private queued: number[] = [];
  private writing = 0;
  private running?: Promise<void>;
  private failure?: { error: unknown };

  constructor(
    private readonly write: (ids: number[]) => Promise<void>,
    /** Most ids in one write. */
    private readonly maxIdsPerWrite: number,
  ) {}

  /** Ids queued or being written. */
  get size(): number {
    return this.queued.length + this.writing;
  }

  add(ids: readonly number[]): void {
    if (this.failure || ids.length === 0) return;
    for (const id of ids) this.queued.push(id);
    this.pump();
  }

  /** Resolves once at most `limit` ids are unwritten (0: all written); rejects with the first failed write. */
  async waitBelow(limit: number): Promise<void> {
    while (!this.failure && this.size > limit && this.running) await this.running;
    if (this.failure) throw this.failure.error;
  }

  /** Every queued id written; rejects with the first failed write. */
  settle(): Promise<void> {
    return this.waitBelow(0);
  }

  private pump(): void {
    if (this.running || this.failure || this.queued.length === 0) return;
    const ids = this.queued.length <= this.maxIdsPerWrite ? this.queued : this.queued.slice(0, this.maxIdsPerWrite);
    this.queued = ids === this.queued ? [] : this.queued.slice(ids.length);
    this.writing = ids.length;
    this.running = this.write(ids).then(
      () => {
        this.writing = 0;
        this.running = undefined;
        this.pump();
      },
      (error: unknown) => {
        this.failure = { error };
        this.writing = 0;
        this.queued = [];
        this.running = undefined;
      },
    );
  }
}

/**
 * `[first, last]` when `ids` are exactly the integers first…last (in any order, each once), so that
 * `id BETWEEN first AND last` touches no other row; otherwise undefined. Ids are unique keys, so a
 * row inside the range that is not in `ids` (a gap, an in-flight fast-path row, a row committed
 * after the read) makes the count fall short of the span, and the caller marks by the id list.
 */
export function contiguousRange(ids: readonly number[]): [number, number] | undefined {
  const n = ids.length;
  if (n === 0) return undefined;
  let ascending = true;
  for (let i = 1; i < n && ascending; i++) ascending = ids[i]! > ids[i - 1]!;
  const sorted = ascending ? ids : [...ids].sort((a, b) => a - b);
  for (let i = 1; i < n; i++) if (sorted[i]! !== sorted[i - 1]! + 1) return undefined;
  return [sorted[0]!, sorted[n - 1]!];
}

const MARK_RANGE_SQL = 'UPDATE events_outbox SET published_at = now() WHERE id BETWEEN $1 AND $2';
const MARK_IDS_SQL = 'UPDATE events_outbox SET published_at = now() WHERE id = ANY($1::bigint[])';
const RECORD_FAILURES_SQL = 'UPDATE events_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])';

/**
 * What the relay writes back to its rows: `published_at` on the published ones, the attempt on
 * the failed ones. Through `session()`: the leader lock's own connection while leading, so the
 * marks never wait for the pool.
 */
export class RowMarks {
  constructor(
    private readonly session: () => Queryable,
    private readonly metrics?: EventsMetrics,
  ) {}

  /** Mark what was published; record the attempt on what was not and reject with its error. */
  async write(outcome: BatchOutcome): Promise<void> {
    await this.markPublished(outcome.published);
    if (outcome.failed.length === 0) {
      this.metrics?.relayBatches.inc({ result: 'ok' });
      return;
    }
    await this.recordFailures(outcome);
  }

  /** One UPDATE of exactly these rows: `id BETWEEN` when they are a contiguous run of ids, else `id = ANY`. */
  async markPublished(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    const range = contiguousRange(ids);
    if (range) await this.session().query(MARK_RANGE_SQL, range);
    else await this.session().query(MARK_IDS_SQL, [ids]);
  }

  /** Record the attempt on the rows whose publish failed and reject with the first error. */
  async recordFailures(outcome: BatchOutcome): Promise<never> {
    const reason = outcome.firstError instanceof Error ? outcome.firstError.message : String(outcome.firstError);
    await this.session().query(RECORD_FAILURES_SQL, [outcome.failed, reason.slice(0, 1000)]);
    this.metrics?.relayBatches.inc({ result: 'error' });
    throw new Error(`outbox relay: ${outcome.failed.length} of ${outcome.total} publishes failed`, { cause: outcome.firstError });
  }
}

/** Fast-path marks are flushed together after this delay, milliseconds (at once when a batch is due). */
export const MARK_FLUSH_DELAY_MS = 20;

/**
 * The fast path's marks: written together {@link MARK_FLUSH_DELAY_MS} after the first id
 * arrives, or at once when `batchSize` ids wait, one write after the other. A failed write is
 * logged and leaves its rows pending (re-published, de-duplicated by `Nats-Msg-Id`); `written`
 * gets each write's ids once it is over, failed or not.
 */
export class DelayedMarks {
  private ids: number[] = [];
  private timer?: NodeJS.Timeout;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly marks: RowMarks,
    private readonly batchSize: number,
    private readonly written: (ids: readonly number[]) => void,
    private readonly logger: EventsLogger,
  ) {}

  add(ids: readonly number[]): void {
    this.ids.push(...ids);
    if (this.ids.length >= this.batchSize) {
      void this.flush();
      return;
    }
    if (this.timer || this.ids.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, MARK_FLUSH_DELAY_MS);
  }

  /** Write every id added so far; resolves when it and the writes before it are over. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.ids;
    this.ids = [];
    if (ids.length === 0) return this.writes;
    this.writes = this.writes
      .then(() => this.marks.write({ total: ids.length, published: ids, failed: [], firstError: undefined }))
      .catch((error: unknown) => this.logger.warn({ ...errorFields(error) }, 'outbox relay: marking published rows failed; they will be re-published'))
      .finally(() => this.written(ids));
    return this.writes;
  }
}
