import { Injectable, Logger } from '@nestjs/common';
import { type EmitEvent, newEventId, type Transaction } from '@platform/events';
import { notificationSent, type NotificationPlan } from '../domain/notification-rules.js';
import { NotificationMetrics } from './notification.metrics.js';
import { NotificationSender, NotificationStore } from './ports.js';

/** The handled event a notification comes from: its tenant, and its id (recorded as the source event). */
export interface NotificationSource {
  readonly tenantId: string;
  readonly eventId: string;
}

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
    private readonly store: NotificationStore,
    private readonly channels: NotificationSender,
    private readonly metrics: NotificationMetrics,
  ) {}

  async notify(tx: Transaction, emit: EmitEvent, source: NotificationSource, plan: NotificationPlan): Promise<void> {
    const tenant = source.tenantId;
    const notificationId = newEventId();
    const recorded = await this.store.insert(tx, {
      id: notificationId,
      tenantId: tenant,
      template: plan.template,
      channel: plan.channel,
      recipient: plan.recipient,
      orderId: plan.orderId,
      customerId: plan.customerId,
      message: plan.message,
      sourceEventId: source.eventId,
    });
    if (!recorded) {
      this.logger.log({ tenant, orderId: plan.orderId, template: plan.template, eventId: source.eventId, msg: 'already notified about this fact, skipped' });
      return;
    }
    // The channel is called inside the transaction on purpose: the record above is what keeps it
    // to one send per fact (a concurrent handling of the same fact waits on its unique key, then
    // skips), and a failed send must roll the record back so that the retry sends again. Sending
    // after the commit would need a delivery queue of its own: the message is acknowledged by
    // then, and a failed send would be lost. The price: the transaction (and a pooled connection)
    // stays open for the call, so a real channel must bound it with a timeout.
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
    await emit({ type: 'notification.sent.v1', aggregateId: notificationId, data: notificationSent(notificationId, plan) });
    tx.afterCommit(() => this.metrics.sent.inc({ channel: plan.channel, template: plan.template }));
  }
}
