import type { ServiceDefinition } from '@platform/service-kit';
import { AppModule } from './app.module.js';
import { LoyaltyServiceConfig } from './config.js';
import { loyaltyMigrations } from './adapters/db/loyalty.schema.js';

/** How the loyalty service is started, shared by `main.ts` and the tests. */
export const loyaltyService: ServiceDefinition<LoyaltyServiceConfig> = {
  name: 'loyalty',
  module: AppModule,
  configClass: LoyaltyServiceConfig,
  migrations: loyaltyMigrations,
  consumesEvents: true,
};
