import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NotificationChannel as ChannelKind } from '@platform/contracts';
import { NotificationSender, type OutgoingNotification } from '../../application/ports.js';

export type { OutgoingNotification };

/**
 * One way of delivering notifications. `send` resolves once the notification is handed over and
 * throws when it cannot be: the handler's transaction then rolls back and the event is retried
 * (then dead-lettered), so a failed delivery is never recorded as sent.
 */
export interface NotificationChannel {
  readonly kind: ChannelKind;
  send(notification: OutgoingNotification): Promise<void>;
}

/** Structured log fields of a delivery (pino JSON): no message bodies beyond the rendered text. */
function deliveryFields(notification: OutgoingNotification): Record<string, unknown> {
  return {
    tenant: notification.tenantId,
    notificationId: notification.notificationId,
    orderId: notification.orderId,
    template: notification.template,
    channel: notification.channel,
    recipient: notification.recipient,
    reason: notification.reason,
    text: notification.message,
  };
}

/** Email, simulated: the delivery is written to the JSON log. */
export class EmailChannel implements NotificationChannel {
  readonly kind = 'email' as const;
  private readonly logger = new Logger('EmailChannel');

  async send(notification: OutgoingNotification): Promise<void> {
    this.logger.log({ ...deliveryFields(notification), msg: 'email sent' });
  }
}

/** Operations webhook, simulated: the delivery is written to the JSON log. */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;
  private readonly logger = new Logger('WebhookChannel');

  async send(notification: OutgoingNotification): Promise<void> {
    this.logger.log({ ...deliveryFields(notification), msg: 'webhook called' });
  }
}

/** Injection token of the `NotificationChannel[]` the service delivers with (tests may replace it). */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');

/** Picks the channel of a notification. */
@Injectable()
export class ChannelRouter implements NotificationSender {
  private readonly byKind: ReadonlyMap<ChannelKind, NotificationChannel>;

  constructor(@Inject(NOTIFICATION_CHANNELS) channels: readonly NotificationChannel[]) {
    this.byKind = new Map(channels.map((channel) => [channel.kind, channel]));
  }

  /** Deliver on the notification's channel; a channel that is not configured is an error (retried, then dead-lettered). */
  async send(notification: OutgoingNotification): Promise<void> {
    const channel = this.byKind.get(notification.channel);
    if (!channel) throw new Error(`no ${notification.channel} channel is configured`);
    await channel.send(notification);
  }
}
