import type { ServiceDefinition } from '@platform/service-kit';
import { AppModule } from './app.module.js';
import { InventoryServiceConfig } from './config.js';

/** How the inventory service is started, shared by `main.ts` and the tests. */
export const inventoryService: ServiceDefinition<InventoryServiceConfig> = {
  name: 'inventory',
  module: AppModule,
  configClass: InventoryServiceConfig,
};
