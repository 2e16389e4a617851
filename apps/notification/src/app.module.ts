import { Module } from '@nestjs/common';
import { ChannelRouter, EmailChannel, NOTIFICATION_CHANNELS, WebhookChannel } from './adapters/channels/channels.js';
import { NotificationRepository } from './adapters/db/notification.repository.js';
import { NotificationEventsController } from './adapters/events/notification-events.controller.js';
import { NotificationsController } from './adapters/http/notifications.controller.js';
import { NotificationMetrics } from './application/notification.metrics.js';
import { NotificationQueries } from './application/notification-queries.js';
import { Notifier } from './application/notifier.js';
import { NotificationSender, NotificationStore } from './application/ports.js';

/** Root module of the notification service: customer order updates and operations stock alerts. */
@Module({
  controllers: [NotificationsController, NotificationEventsController],
  providers: [
    { provide: NOTIFICATION_CHANNELS, useFactory: () => [new EmailChannel(), new WebhookChannel()] },
    ChannelRouter,
    { provide: NotificationSender, useExisting: ChannelRouter },
    NotificationRepository,
    { provide: NotificationStore, useExisting: NotificationRepository },
    NotificationMetrics,
    Notifier,
    NotificationQueries,
  ],
})
export class AppModule {}
