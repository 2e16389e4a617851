import { Module } from '@nestjs/common';
import { ChannelRouter, EmailChannel, NOTIFICATION_CHANNELS, WebhookChannel } from './channels.js';
import { NotificationEventsController } from './notification-events.controller.js';
import { NotificationMetrics } from './notification.metrics.js';
import { NotificationRepository } from './notification.repository.js';
import { NotificationsController } from './notifications.controller.js';
import { Notifier } from './notifier.js';

/** Root module of the notification service: customer order updates and operations stock alerts. */
@Module({
  controllers: [NotificationsController, NotificationEventsController],
  providers: [
    { provide: NOTIFICATION_CHANNELS, useFactory: () => [new EmailChannel(), new WebhookChannel()] },
    ChannelRouter,
    NotificationRepository,
    NotificationMetrics,
    Notifier,
  ],
})
export class AppModule {}
