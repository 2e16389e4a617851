import { Module } from '@nestjs/common';
import { AnalyticsModule } from './analytics/analytics.module.js';

/** Root module of the analytics service; its business modules are imported here. */
@Module({ imports: [AnalyticsModule] })
export class AppModule {}
