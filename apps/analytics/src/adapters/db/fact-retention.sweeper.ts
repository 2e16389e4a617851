import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@platform/events';
import { DATABASE, PeriodicSweeper, SERVICE_CONFIG } from '@platform/service-kit';
import type { AnalyticsServiceConfig } from '../../config.js';
import { pruneFacts } from './analytics.store.js';

/** How often facts past the retention are looked for, milliseconds (as the events runtime prunes its inbox). */
export const FACT_SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes the facts applied more than `ANALYTICS_FACT_RETENTION_MS` ago (default 45 days), every
 * 10 minutes, 1000 rows per statement. The counters shown by `GET /analytics/summary` stay as
 * they are (see `pruneFacts`). Safe with several replicas: each DELETE removes distinct rows or
 * nothing; a rebuild holds the tables' lock and a sweep waits for it.
 */
@Injectable()
export class FactRetentionSweeper extends PeriodicSweeper {
  protected readonly logger = new Logger('FactRetentionSweeper');
  protected readonly what = 'analytics fact retention sweep';
  protected readonly intervalMs = FACT_SWEEP_INTERVAL_MS;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: AnalyticsServiceConfig,
  ) {
    super();
  }

  /** One sweep: every fact past the retention, in batches (stops between batches at shutdown). */
  sweep(now = new Date()): Promise<number> {
    return pruneFacts(this.db, new Date(now.getTime() - this.config.ANALYTICS_FACT_RETENTION_MS), () => this.stopping);
  }

  protected describe(deleted: number): string {
    return `pruned ${deleted} analytics fact(s) applied more than ${this.config.ANALYTICS_FACT_RETENTION_MS} ms ago`;
  }
}
