import type { ServiceDefinition } from '@platform/service-kit';
import { AppModule } from './app.module.js';
import { PaymentServiceConfig } from './config.js';
import { paymentMigrations } from './adapters/db/payment.schema.js';

/** How the payment service is started, shared by `main.ts` and the tests. */
export const paymentService: ServiceDefinition<PaymentServiceConfig> = {
  name: 'payment',
  module: AppModule,
  configClass: PaymentServiceConfig,
  migrations: paymentMigrations,
  consumesEvents: true,
};
