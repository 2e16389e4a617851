import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Publisher } from '../publisher/publisher.js';
import type { Database, Queryable } from '../storage/database.js';
import { backoffDelay, delay, type BackoffOptions } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import { DEFAULT_OUTBOX_CHANNEL, type Outbox, type OutboxRecord } from './outbox.js';
import { OutboxHousekeeping } from './outbox.housekeeping.js';
import { RelayLeadership, type LeaderTerm } from './outbox.leadership.js';
import { DelayedMarks, MarkQueue, RowMarks } from './outbox.marks.js';
import { publishRows, type BatchOutcome, type PublishableRow } from './outbox.publish.js';
import { WakeSignal } from './outbox.wake.js';
import { republishRange, type RepublishRange } from './outbox.republish.js';

export interface OutboxRelayOptions {
  readonly db: Database;
  readonly publisher: Publisher;
  /** The service's name: the advisory lock is `outbox-relay:<service>`, one active relay per service. */
  readonly service: string;
  /** The in-process outbox, to wake on its commits without a round trip. */
  readonly outbox?: Outbox;
  /** NOTIFY channel to LISTEN on (PostgreSQL). Default `events_outbox`, or the outbox's channel. */
  readonly notifyChannel?: string;
  /** Rows per batch; all rows of a batch are published pipelined. Default 1000. */
  readonly batchSize?: number;
  /** Fallback poll when no wake-up arrives, milliseconds. Default 1000. */
  readonly pollIntervalMs?: number;
  /** How often a follower retries the leader lock, milliseconds. Default 2000. */
  readonly lockRetryMs?: number;
  /** Backoff after a failed batch. Default 100 ms doubling to 30 s; the relay never gives up. */
  readonly backoff?: BackoffOptions;
  /** Published rows are deleted this long after publication, milliseconds. Default 7 days. */
  readonly retentionMs?: number;
  /** Interval of the retention purge and the backlog gauges, milliseconds. Default 5000. */
  readonly housekeepingIntervalMs?: number;
  /** Milliseconds to wait for each PubAck. Default 5000. */
  readonly publishTimeoutMs?: number;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
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

export const DEFAULT_RELAY_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 30_000 };

/**
 * Publishes committed outbox rows to JetStream, in row order, with `Nats-Msg-Id` = event id so
 * that a re-publish after a crash is de-duplicated by the stream. Exactly one relay per service
 * is active (a PostgreSQL advisory lock); the others wait as followers. It wakes on commit
 * (in-process signal and LISTEN/NOTIFY) and polls as a fallback. A failed batch is retried with
 * backoff forever: rows are never abandoned. Rows whose publish succeeded are marked even when
 * others in the batch failed; a consumer's sequence guard restores per-aggregate order if a
 * retried row lands after its successor.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly backoff: BackoffOptions;
  private readonly logger: EventsLogger;
  private readonly channel: string;
  private abort = new AbortController();
  private running?: Promise<void>;
  private readonly leadership: RelayLeadership;
  private readonly wakeSignal: WakeSignal;
  private readonly housekeeping: OutboxHousekeeping;
  /** Rows handed over by the in-process outbox and being published right now. */
  private readonly inFlight = new Set<number>();
  /** The fast path's publishes not yet settled. */
  private readonly fastPublishes = new Set<Promise<void>>();
  private readonly marks: RowMarks;
  /** Published fast-path rows waiting for their (batched) mark. */
  private readonly fastMarks: DelayedMarks;
  /** True until a drain found nothing older pending: the fast path must not overtake a backlog. */
  private backlogSuspected = true;
  /** A commit was handed back to the drain while a backlog was suspected: drain again before the fast path. */
  private handedBack = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.wakeSignal = new WakeSignal(options.pollIntervalMs ?? 1000);
    this.backoff = options.backoff ?? DEFAULT_RELAY_BACKOFF;
    this.logger = options.logger ?? silentLogger;
    this.channel = options.notifyChannel ?? options.outbox?.notifyChannel ?? DEFAULT_OUTBOX_CHANNEL;
    this.marks = new RowMarks(() => this.session(), options.metrics);
    this.leadership = new RelayLeadership({
      db: options.db,
      service: options.service,
      lockRetryMs: options.lockRetryMs ?? 2000,
      backoff: this.backoff,
      metrics: options.metrics,
      logger: this.logger,
    });
    this.housekeeping = new OutboxHousekeeping({
      db: options.db,
      retentionMs: options.retentionMs ?? 7 * 24 * 3600_000,
      intervalMs: options.housekeepingIntervalMs ?? 5000,
      metrics: options.metrics,
      logger: this.logger,
    });
    this.fastMarks = new DelayedMarks(this.marks, this.batchSize, (ids) => ids.forEach((id) => this.inFlight.delete(id)), this.logger);
  }

  /** True while this process holds the relay lock. */
  get isLeader(): boolean {
    return this.leadership.isLeader;
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.leadership.run(this.abort.signal, (term) => this.lead(term));
  }

  /** Stops after the batch in flight; a later start() resumes. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
  }

  /** Ask the relay to look for pending rows now. */
  wake(): void {
    this.wakeSignal.wake();
  }

  /**
   * Publish one batch of pending rows and mark the published ones. Returns how many were
   * published; rejects (after marking the successes) when any publish failed.
   */
  async drainOnce(): Promise<number> {
    const { records } = await this.readPending(0);
    if (records.length === 0) return 0;
    const outcome = await this.publishRows(records);
    await this.marks.write(outcome);
    return outcome.published.length;
  }

  /**
   * Publish every pending row, batch after batch: the read of the next batch runs while this
   * batch is published, and marks run behind the publishes (merged into one UPDATE while one is
   * in flight, at most {@link MARK_LAG_BATCHES} batches behind). Returns how many were published;
   * rejects after the first batch with a failed publish (every acknowledged row marked, the
   * failed ones' attempts recorded) or a failed mark.
   */
  async drain(): Promise<number> {
    let total = 0;
    this.handedBack = false;
    const marks = new MarkQueue((ids) => this.marks.markPublished(ids), MARK_LAG_BATCHES * this.batchSize);
    try {
      let page = await this.readPending(0);
      for (;;) {
        // Read ahead before issuing the publishes: the database works while this process does.
        const next = page.full ? this.readPending(page.lastId) : undefined;
        next?.catch(() => undefined); // awaited below; a rejection must not go unhandled meanwhile
        const outcome = await this.publishRows(page.records);
        marks.add(outcome.published);
        if (outcome.failed.length > 0) {
          await next?.catch(() => undefined);
          await marks.settle();
          await this.marks.recordFailures(outcome); // throws
        }
        this.options.metrics?.relayBatches.inc({ result: 'ok' });
        total += outcome.published.length;
        if (!next) {
          await marks.settle();
          // Rows committed after the read above went to the drain, not the fast path: only when
          // there were none is nothing older left pending.
          if (!this.handedBack) this.backlogSuspected = false;
          break;
        }
        await marks.waitBelow((MARK_LAG_BATCHES - 1) * this.batchSize);
        page = await next;
      }
    } catch (error) {
      // Also after a failed publish of a drain started with no backlog suspected: an older row
      // is pending now, and the fast path must not overtake it.
      this.backlogSuspected = true;
      await marks.settle().catch(() => undefined);
      throw error;
    }
    return total;
  }

  private session(): Queryable {
    return this.leadership.session ?? this.options.db;
  }

  /** Pending rows after `afterId`, in id order (`lastId` reports the page's end, in-flight rows included). */
  private async readPending(afterId: number): Promise<{ records: PublishableRow[]; lastId: number; full: boolean }> {
    const { rows } = await this.session().query<PendingRow>(
      `SELECT id, event_id, subject, payload, headers::text AS headers FROM events_outbox
       WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2`,
      [afterId, this.batchSize],
    );
    // A page's rows share a handful of header values (the type, rarely a traceparent): parse each once.
    const parsedHeaders = new Map<string, Readonly<Record<string, string>> | undefined>();
    const records: PublishableRow[] = [];
    for (const row of rows) {
      if (this.inFlight.has(row.id)) continue;
      let headers = parsedHeaders.get(row.headers);
      if (headers === undefined && !parsedHeaders.has(row.headers)) {
        const parsed = JSON.parse(row.headers) as Record<string, string>;
        headers = Object.keys(parsed).length > 0 ? parsed : undefined;
        parsedHeaders.set(row.headers, headers);
      }
      records.push({ id: row.id, eventId: row.event_id, subject: row.subject, payload: row.payload, headers });
    }
    return { records, lastId: rows[rows.length - 1]?.id ?? afterId, full: rows.length === this.batchSize };
  }

  /**
   * The fast path: rows the in-process outbox just committed, published at once without reading
   * them back, and marked in batches. Used only while no older row is pending (so nothing is
   * overtaken); any failure hands the rows back to the polling drain.
   */
  private handOver(records: readonly OutboxRecord[]): void {
    if (this.backlogSuspected || records.length === 0) {
      this.handedBack = true;
      this.wake();
      return;
    }
    for (const record of records) this.inFlight.add(record.id);
    const publish = this.publishRows(records).then((outcome) => {
      // Published rows stay "in flight" until marked, so a drain meanwhile does not publish them again.
      for (const id of outcome.failed) this.inFlight.delete(id);
      this.fastMarks.add(outcome.published);
      if (outcome.failed.length > 0) {
        this.backlogSuspected = true;
        void this.marks.recordFailures(outcome).catch(() => undefined);
        this.wake();
      }
    });
    this.fastPublishes.add(publish);
    void publish.finally(() => this.fastPublishes.delete(publish));
  }

  private publishRows(rows: readonly PublishableRow[]): Promise<BatchOutcome> {
    return publishRows(this.options.publisher, rows, this.options.publishTimeoutMs ?? 5000);
  }

  /**
   * Mark published rows of a range as pending again, so the relay publishes them once more
   * (recovery after a broker lost its data). Returns the number of rows re-queued. Consumers
   * de-duplicate by event id in their inbox.
   */
  async republish(range: RepublishRange): Promise<number> {
    const count = await republishRange(this.options.db, range, this.channel);
    this.backlogSuspected = true;
    this.wake();
    return count;
  }

  /** Delete rows published before `olderThan`. Returns the number deleted. */
  purgePublished(olderThan: Date): Promise<number> {
    return this.housekeeping.purgePublished(olderThan);
  }

  /** Rows waiting to be published and the age of the oldest, seconds. */
  backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    return this.housekeeping.backlog();
  }

  /** One term as leader: publish until the term ends, then settle the fast path's publishes and marks. */
  private async lead({ signal }: LeaderTerm): Promise<void> {
    this.backlogSuspected = true;
    const { db, outbox } = this.options;
    const unsubscribe = await this.wakeSignal.subscribe({ db, channel: this.channel, outbox, onCommit: (records) => this.handOver(records), logger: this.logger });
    let failures = 0;
    try {
      while (!signal.aborted) {
        this.wakeSignal.passStarted();
        try {
          await this.drain();
          failures = 0;
        } catch (error) {
          failures++;
          const wait = backoffDelay(failures, this.backoff);
          this.logger.warn({ ...errorFields(error), attempt: failures, retryInMs: wait }, 'outbox relay: batch failed');
          // The backlog gauges must move most when nothing is published (the outbox-stuck alert reads them).
          await this.housekeeping.runIfDue();
          await delay(wait, signal);
          continue;
        }
        await this.housekeeping.runIfDue();
        await this.wakeSignal.wait(signal);
      }
    } finally {
      await unsubscribe();
      await Promise.all(this.fastPublishes);
      await this.fastMarks.flush();
    }
  }
}
