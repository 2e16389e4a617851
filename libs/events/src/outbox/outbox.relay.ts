import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Publisher } from '../publisher/publisher.js';
import type { AdvisoryLock, Database } from '../storage/database.js';
import { backoffDelay, delay, type BackoffOptions } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import { DEFAULT_OUTBOX_CHANNEL, type Outbox } from './outbox.js';

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

export interface RepublishRange {
  /** First outbox row id (inclusive). */
  readonly fromId?: number;
  /** Last outbox row id (inclusive). */
  readonly toId?: number;
  /** Rows created at or after this time. */
  readonly from?: Date;
  /** Rows created before this time. */
  readonly to?: Date;
}

interface PendingRow {
  id: number;
  event_id: string;
  subject: string;
  type: string;
  payload: string;
  headers: Record<string, string>;
}

const encoder = new TextEncoder();
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
  private readonly pollIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly backoff: BackoffOptions;
  private readonly retentionMs: number;
  private readonly housekeepingIntervalMs: number;
  private readonly logger: EventsLogger;
  private readonly channel: string;
  private abort = new AbortController();
  private running?: Promise<void>;
  private leader = false;
  private wakeRequested = false;
  private wakeUp?: () => void;
  private lastHousekeeping = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.lockRetryMs = options.lockRetryMs ?? 2000;
    this.backoff = options.backoff ?? DEFAULT_RELAY_BACKOFF;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.housekeepingIntervalMs = options.housekeepingIntervalMs ?? 5000;
    this.logger = options.logger ?? silentLogger;
    this.channel = options.notifyChannel ?? options.outbox?.notifyChannel ?? DEFAULT_OUTBOX_CHANNEL;
  }

  /** True while this process holds the relay lock. */
  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.run();
  }

  /** Stops after the batch in flight; a later start() resumes. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
    this.running = undefined;
  }

  /** Ask the relay to look for pending rows now. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /**
   * Publish one batch of pending rows and mark the published ones. Returns how many were
   * published; rejects (after marking the successes) when any publish failed.
   */
  async drainOnce(): Promise<number> {
    const { db, publisher } = this.options;
    const { rows } = await db.query<PendingRow>(
      `SELECT id, event_id, subject, type, payload, headers FROM events_outbox
       WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    const timeoutMs = this.options.publishTimeoutMs ?? 5000;
    const results = await Promise.allSettled(
      rows.map((row) =>
        publisher.publish(row.subject, encoder.encode(row.payload), { msgId: row.event_id, headers: row.headers, timeoutMs }),
      ),
    );
    const published: number[] = [];
    const failed: number[] = [];
    let firstError: unknown;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') published.push(rows[i]!.id);
      else {
        failed.push(rows[i]!.id);
        firstError ??= result.reason;
      }
    });
    if (published.length > 0) {
      await db.query('UPDATE events_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [published]);
    }
    if (failed.length > 0) {
      await db.query(
        'UPDATE events_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])',
        [failed, String((firstError as Error)?.message ?? firstError).slice(0, 1000)],
      );
      this.options.metrics?.relayBatches.inc({ result: 'error' });
      throw new Error(`outbox relay: ${failed.length} of ${rows.length} publishes failed`, { cause: firstError });
    }
    this.options.metrics?.relayBatches.inc({ result: 'ok' });
    return published.length;
  }

  /**
   * Mark published rows of a range as pending again, so the relay publishes them once more
   * (recovery after a broker lost its data). Returns the number of rows re-queued. Consumers
   * de-duplicate by event id in their inbox.
   */
  async republish(range: RepublishRange): Promise<number> {
    const { rowCount } = await this.options.db.query(
      `UPDATE events_outbox SET published_at = NULL
       WHERE published_at IS NOT NULL
         AND ($1::bigint IS NULL OR id >= $1) AND ($2::bigint IS NULL OR id <= $2)
         AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)`,
      [range.fromId ?? null, range.toId ?? null, range.from ?? null, range.to ?? null],
    );
    this.wake();
    return rowCount;
  }

  /** Delete rows published before `olderThan`. Returns the number deleted. */
  async purgePublished(olderThan: Date): Promise<number> {
    const { rowCount } = await this.options.db.query(
      'DELETE FROM events_outbox WHERE published_at IS NOT NULL AND published_at < $1',
      [olderThan],
    );
    return rowCount;
  }

  /** Rows waiting to be published and the age of the oldest, seconds. */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const { rows } = await this.options.db.query<{ pending: number; oldest: Date | null }>(
      'SELECT count(*)::bigint AS pending, min(created_at) AS oldest FROM events_outbox WHERE published_at IS NULL',
    );
    const oldest = rows[0]?.oldest;
    return {
      pending: Number(rows[0]?.pending ?? 0),
      oldestAgeSeconds: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
    };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let lock: AdvisoryLock | null = null;
      try {
        lock = await this.options.db.tryAdvisoryLock(`outbox-relay:${this.options.service}`);
      } catch (error) {
        failures++;
        this.logger.warn({ ...errorFields(error) }, 'outbox relay: cannot reach the database for the leader lock');
        await delay(backoffDelay(failures, this.backoff), signal);
        continue;
      }
      if (!lock) {
        await delay(this.lockRetryMs, signal);
        continue;
      }
      failures = 0;
      await this.lead(lock, signal);
    }
  }

  private async lead(lock: AdvisoryLock, signal: AbortSignal): Promise<void> {
    let lockLost = false;
    void lock.lost.then(() => {
      lockLost = true;
      this.wakeUp?.();
    });
    this.leader = true;
    this.options.metrics?.relayLeader.set(1);
    this.logger.info({ service: this.options.service }, 'outbox relay: active');
    const offCommit = this.options.outbox?.onCommit(() => this.wake());
    let unlisten: (() => Promise<void>) | undefined;
    try {
      unlisten = await this.options.db.listen(this.channel, () => this.wake());
    } catch (error) {
      this.logger.warn({ ...errorFields(error) }, 'outbox relay: LISTEN failed, relying on the poll');
    }
    let failures = 0;
    try {
      while (!signal.aborted && !lockLost) {
        this.wakeRequested = false;
        try {
          const published = await this.drainOnce();
          failures = 0;
          if (published >= this.batchSize) continue;
        } catch (error) {
          failures++;
          const wait = backoffDelay(failures, this.backoff);
          this.logger.warn({ ...errorFields(error), attempt: failures, retryInMs: wait }, 'outbox relay: batch failed');
          await delay(wait, signal);
          continue;
        }
        await this.housekeeping();
        await this.waitForWake(signal);
      }
    } finally {
      offCommit?.();
      await unlisten?.().catch(() => undefined);
      this.leader = false;
      this.options.metrics?.relayLeader.set(0);
      await lock.release().catch(() => undefined);
    }
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastHousekeeping < this.housekeepingIntervalMs) return;
    this.lastHousekeeping = now;
    try {
      await this.purgePublished(new Date(now - this.retentionMs));
      if (this.options.metrics) {
        const { pending, oldestAgeSeconds } = await this.backlog();
        this.options.metrics.outboxPending.set(pending);
        this.options.metrics.outboxLag.set(oldestAgeSeconds);
      }
    } catch (error) {
      this.logger.warn({ ...errorFields(error) }, 'outbox relay: housekeeping failed');
    }
  }

  private waitForWake(signal: AbortSignal): Promise<void> {
    if (this.wakeRequested || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.pollIntervalMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
