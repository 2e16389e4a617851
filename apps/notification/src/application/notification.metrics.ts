import { Inject, Injectable } from '@nestjs/common';
import { counterIn, METRICS_REGISTRY } from '@platform/service-kit';
import type { Counter, Registry } from 'prom-client';

export const NotificationMetricName = {
  sent: 'notifications_sent_total',
} as const;

/**
 * Business metrics of the notification service, registered once per registry (the service's own).
 * Labels are bounded: `channel` (email, sms, push, webhook) and `template` (three names).
 */
@Injectable()
export class NotificationMetrics {
  /** Notifications handed to their channel and committed. */
  readonly sent: Counter<'channel' | 'template'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.sent = counterIn(registry, { name: NotificationMetricName.sent, help: 'Notifications sent (handed to their channel and recorded), by channel and template', labelNames: ['channel', 'template'] });
  }
}
