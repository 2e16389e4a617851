import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller.js';
import { AnalyticsEventsController } from './analytics.events.controller.js';
import { AnalyticsMetrics } from './analytics.metrics.js';
import { FactRetentionSweeper } from './fact-retention.sweeper.js';

/** Per-tenant aggregates of the platform's events: the consumers, `GET /analytics/summary`, `POST /analytics/rebuild`, the fact retention sweep. */
@Module({
  controllers: [AnalyticsEventsController, AnalyticsController],
  providers: [AnalyticsMetrics, FactRetentionSweeper],
})
export class AnalyticsModule {}
