import type { ServiceDefinition } from '@platform/service-kit';
import { analyticsMigrations } from './adapters/db/analytics.migrations.js';
import { AppModule } from './app.module.js';
import { AnalyticsServiceConfig } from './config.js';

/** How the analytics service is started, shared by `main.ts` and the tests. */
export const analyticsService: ServiceDefinition<AnalyticsServiceConfig> = {
  name: 'analytics',
  module: AppModule,
  configClass: AnalyticsServiceConfig,
  migrations: analyticsMigrations,
  consumesEvents: true,
};
