import { Module } from '@nestjs/common';
import { SqlAnalyticsStore } from './adapters/db/analytics.store.js';
import { FactRetentionSweeper } from './adapters/db/fact-retention.sweeper.js';
import { AnalyticsEventsController } from './adapters/events/analytics.events.controller.js';
import { AnalyticsController } from './adapters/http/analytics.controller.js';
import { AnalyticsRebuild } from './application/analytics-rebuild.js';
import { AnalyticsMetrics } from './application/analytics.metrics.js';
import { AnalyticsQueries } from './application/analytics-queries.js';
import { ApplyEvents } from './application/apply-events.js';
import { AnalyticsStore } from './application/ports.js';

/**
 * Root module of the analytics service: per-tenant aggregates of the platform's events (the
 * consumers, `GET /analytics/summary`, `POST /analytics/rebuild`, the fact retention sweep).
 */
@Module({
  controllers: [AnalyticsEventsController, AnalyticsController],
  providers: [
    AnalyticsMetrics,
    ApplyEvents,
    AnalyticsQueries,
    AnalyticsRebuild,
    FactRetentionSweeper,
    SqlAnalyticsStore,
    { provide: AnalyticsStore, useExisting: SqlAnalyticsStore },
  ],
})
export class AppModule {}
