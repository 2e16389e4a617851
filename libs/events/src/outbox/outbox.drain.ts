import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Queryable } from '../storage/database.js';
import { MarkQueue, type RowMarks } from './outbox.marks.js';
import type { PublicationOrder } from './outbox.order.js';
import type { PublishableRow, PublishRows } from './outbox.publish.js';

export interface OutboxDrainOptions {
  /** Where rows are read: the leader lock's session while leading, else the database. */
  readonly session: () => Queryable;
  /** Rows per batch. */
  readonly batchSize: number;
  readonly publish: PublishRows;
  readonly marks: RowMarks;
  readonly order: PublicationOrder;
  /** Rows the fast path holds: the drain leaves them alone. */
  readonly claimed: (id: number) => boolean;
  readonly metrics?: EventsMetrics;
}

interface PendingRow {
  id: number;
  event_id: string;
  subject: string;
  payload: string;
  /** The jsonb column as text: parsed once per distinct value of a page, not once per row. */
  headers: string;
}

/** The drain's marks run at most this many batches behind its publishes. */
const MARK_LAG_BATCHES = 3;

/** Publishes the pending rows read back from the outbox table, in id order, batch after batch. */
export class OutboxDrain {
  constructor(private readonly options: OutboxDrainOptions) {}

  /**
   * Publish one batch of pending rows and mark the published ones. Returns how many were
   * published; rejects (after marking the successes) when any publish failed.
   */
  async once(): Promise<number> {
    const { records } = await this.readPending(0);
    if (records.length === 0) return 0;
    const outcome = await this.options.publish(records);
    if (outcome.failed.length > 0) this.options.order.doubt();
    await this.options.marks.write(outcome);
    return outcome.published.length;
  }

  /**
   * Publish every pending row, batch after batch: the read of the next batch runs while this
   * batch is published, and marks run behind the publishes (merged into one UPDATE while one is
   * in flight, at most {@link MARK_LAG_BATCHES} batches behind). Returns how many were published;
   * rejects after the first batch with a failed publish (every acknowledged row marked, the
   * failed ones' attempts recorded) or a failed mark.
   */
  async all(): Promise<number> {
    const { batchSize, publish, marks: rowMarks, order, metrics } = this.options;
    let total = 0;
    const started = order.drainStarted();
    const marks = new MarkQueue((ids) => rowMarks.markPublished(ids), MARK_LAG_BATCHES * batchSize);
    try {
      let page = await this.readPending(0);
      for (;;) {
        // Read ahead before issuing the publishes: the database works while this process does.
        const next = page.full ? this.readPending(page.lastId) : undefined;
        next?.catch(() => undefined); // awaited below; a rejection must not go unhandled meanwhile
        const outcome = await publish(page.records);
        marks.add(outcome.published);
        if (outcome.failed.length > 0) {
          order.doubt(); // now: the failed rows are pending while their attempts are recorded
          await next?.catch(() => undefined);
          await marks.settle();
          await rowMarks.recordFailures(outcome); // throws
        }
        metrics?.relayBatches.inc({ result: 'ok' });
        total += outcome.published.length;
        if (!next) {
          await marks.settle();
          order.drainCompleted(started);
          return total;
        }
        await marks.waitBelow((MARK_LAG_BATCHES - 1) * batchSize);
        page = await next;
      }
    } catch (error) {
      order.doubt();
      await marks.settle().catch(() => undefined);
      throw error;
    }
  }

  /** Pending rows after `afterId`, in id order (`lastId` reports the page's end, claimed rows included). */
  private async readPending(afterId: number): Promise<{ records: PublishableRow[]; lastId: number; full: boolean }> {
    const { batchSize, claimed } = this.options;
    const { rows } = await this.options.session().query<PendingRow>(
      `SELECT id, event_id, subject, payload, headers::text AS headers FROM events_outbox
       WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2`,
      [afterId, batchSize],
    );
    // A page's rows share a handful of header values (the type, rarely a traceparent): parse each once.
    const parsedHeaders = new Map<string, Readonly<Record<string, string>> | undefined>();
    const records: PublishableRow[] = [];
    for (const row of rows) {
      if (claimed(row.id)) continue;
      let headers = parsedHeaders.get(row.headers);
      if (headers === undefined && !parsedHeaders.has(row.headers)) {
        const parsed = JSON.parse(row.headers) as Record<string, string>;
        headers = Object.keys(parsed).length > 0 ? parsed : undefined;
        parsedHeaders.set(row.headers, headers);
      }
      records.push({ id: row.id, eventId: row.event_id, subject: row.subject, payload: row.payload, headers });
    }
    return { records, lastId: rows[rows.length - 1]?.id ?? afterId, full: rows.length === batchSize };
  }
}
