import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Queryable } from '../storage/database.js';
import { errorFields, type EventsLogger } from '../util/logger.js';

export interface OutboxHousekeepingOptions {
  readonly db: Queryable;
  /** Published rows are deleted this long after publication, milliseconds. */
  readonly retentionMs: number;
  /** Least time between two rounds, milliseconds. */
  readonly intervalMs: number;
  readonly metrics?: EventsMetrics;
  readonly logger: EventsLogger;
}

/** The relay's upkeep between passes: the retention purge and the backlog gauges. */
export class OutboxHousekeeping {
  private last = 0;

  constructor(private readonly options: OutboxHousekeepingOptions) {}

  /** A round when the last is at least the interval ago; a failure is logged, never thrown. */
  async runIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.last < this.options.intervalMs) return;
    this.last = now;
    const { metrics, logger } = this.options;
    try {
      await this.purgePublished(new Date(now - this.options.retentionMs));
      if (metrics) {
        const { pending, oldestAgeSeconds } = await this.backlog();
        metrics.outboxPending.set(pending);
        metrics.outboxLag.set(oldestAgeSeconds);
      }
    } catch (error) {
      logger.warn({ ...errorFields(error) }, 'outbox relay: housekeeping failed');
    }
  }

  /** Delete rows published before `olderThan`. Returns the number deleted. */
  async purgePublished(olderThan: Date): Promise<number> {
    const { rowCount } = await this.options.db.query('DELETE FROM events_outbox WHERE published_at IS NOT NULL AND published_at < $1', [olderThan]);
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
}
