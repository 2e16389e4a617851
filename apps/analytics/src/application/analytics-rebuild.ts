import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@platform/events';
import { DATABASE, EventStreams } from '@platform/service-kit';
import { PinoLogger } from 'nestjs-pino';
import { AnalyticsMetrics, ReplayResult } from './analytics.metrics.js';
import { AnalyticsStore } from './ports.js';
import { rebuildAnalytics, type RebuildAnalyticsResult } from './rebuild-analytics.js';

/** `POST /analytics/rebuild`: every tenant's aggregates rebuilt from the streams (see `rebuildAnalytics`), counted by result. */
@Injectable()
export class AnalyticsRebuild {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly store: AnalyticsStore,
    private readonly streams: EventStreams,
    private readonly metrics: AnalyticsMetrics,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AnalyticsRebuild.name);
  }

  async run(): Promise<RebuildAnalyticsResult> {
    try {
      const result = await rebuildAnalytics({ db: this.db, store: this.store, js: this.streams.js, registry: this.streams.registry, logger: this.logger });
      this.metrics.replayed(ReplayResult.Success);
      return result;
    } catch (error) {
      this.metrics.replayed(ReplayResult.Failure);
      throw error;
    }
  }
}
