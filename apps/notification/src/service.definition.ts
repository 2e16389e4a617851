import type { ServiceDefinition } from '@platform/service-kit';
import { AppModule } from './app.module.js';
import { NotificationServiceConfig } from './config.js';
import { notificationMigrations } from './adapters/db/notification.schema.js';

/** How the notification service is started, shared by `main.ts` and the tests. */
export const notificationService: ServiceDefinition<NotificationServiceConfig> = {
  name: 'notification',
  module: AppModule,
  configClass: NotificationServiceConfig,
  migrations: notificationMigrations,
  consumesEvents: true,
};
