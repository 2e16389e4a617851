import type { ServiceDefinition } from '@platform/service-kit';
import { AppModule } from './app.module.js';
import { OrderServiceConfig } from './config.js';
import { orderMigrations } from './adapters/db/order.schema.js';

/** How the order service is started, shared by `main.ts` and the tests. */
export const orderService: ServiceDefinition<OrderServiceConfig> = {
  name: 'order',
  module: AppModule,
  configClass: OrderServiceConfig,
  migrations: orderMigrations,
  consumesEvents: true,
};
