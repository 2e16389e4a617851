import { Injectable, Logger } from '@nestjs/common';
import { type JetStreamContext, newEventId } from '@platform/events';
import { type NotificationSentV1 } from '@platform/contracts';
import { ChannelRouter } from '../adapters/channels/channels.js';
import { NotificationRepository } from '../adapters/db/notification.repository.js';
import type { NotificationPlan } from '../domain/notification-rules.js';
import { NotificationMetrics } from './notification.metrics.js';

/**
 * Carries out a `NotificationPlan` inside the handled message's transaction: record it (once per
 * fact), hand it to its channel, emit `notification.sent.v1`. A channel failure throws, which
 * rolls the record and the event back; the message is retried, then dead-lettered. Delivery is
 * at-least-once towards the channel: a crash between the channel call and the commit sends again.
 */
@Injectable()
export class Notifier {
  private readonly logger = new Logger(Notifier.name);

  constructor(
    private readonly repository: NotificationRepository,
    private readonly channels: ChannelRouter,
    private readonly metrics: NotificationMetrics,
  ) {}

  async notify(ctx: JetStreamContext, plan: NotificationPlan): Promise<void> {
    const tx = ctx.transaction;
    const event = ctx.event;
    const tenant = event.tenantid;
    const notificationId = newEventId();
    const recorded = await this.repository.insert(tx, {
      id: notificationId,
      tenantId: tenant,
      template: plan.template,
      channel: plan.channel,
      recipient: plan.recipient,
      orderId: plan.orderId,
      customerId: plan.customerId,
      message: plan.message,
      sourceEventId: event.id,
    });
    if (!recorded) {
      this.logger.log({ tenant, orderId: plan.orderId, template: plan.template, eventId: event.id, msg: 'already notified about this fact, skipped' });
      return;
    }
    await this.channels.send({
      notificationId,
      tenantId: tenant,
      template: plan.template,
      channel: plan.channel,
      recipient: plan.recipient,
      orderId: plan.orderId,
      message: plan.message,
      reason: plan.reason,
    });
    const data: NotificationSentV1 = { notificationId, channel: plan.channel, template: plan.template, recipient: plan.recipient };
    if (plan.orderId !== undefined) data.orderId = plan.orderId;
    await ctx.emit({ type: 'notification.sent.v1', aggregateId: notificationId, data });
    tx.afterCommit(() => this.metrics.sent.inc({ channel: plan.channel, template: plan.template }));
  }
}
