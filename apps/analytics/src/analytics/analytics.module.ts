import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller.js';
import { AnalyticsEventsController } from './analytics.events.controller.js';
import { AnalyticsMetrics } from './analytics.metrics.js';

/** Per-tenant aggregates of the platform's events: the consumers, `GET /analytics/summary`, `POST /analytics/rebuild`. */
@Module({
  controllers: [AnalyticsEventsController, AnalyticsController],
  providers: [AnalyticsMetrics],
})
export class AnalyticsModule {}
