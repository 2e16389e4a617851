import type { ServiceDefinition } from '@platform/service-kit';
import { AppModule } from './app.module.js';
import { InventoryServiceConfig } from './config.js';
import { inventoryMigrations } from './adapters/db/inventory.schema.js';
import { ProductsService } from './application/products.service.js';

/** How the inventory service is started, shared by `main.ts` and the tests. */
export const inventoryService: ServiceDefinition<InventoryServiceConfig> = {
  name: 'inventory',
  module: AppModule,
  configClass: InventoryServiceConfig,
  migrations: inventoryMigrations,
  consumesEvents: true,
  onReady: async ({ app, config }) => {
    if (config.INVENTORY_SEED_DEMO === 'true') await app.get(ProductsService).seedDemoCatalogue();
  },
};
