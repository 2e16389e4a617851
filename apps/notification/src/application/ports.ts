import type { NotificationChannel as ChannelKind } from '@platform/contracts';
import type { Queryable } from '@platform/events';
import type { NotificationFilter } from '../domain/notification-access.js';
import type { NotificationTemplate } from '../domain/notification-rules.js';

export interface NewNotification {
  readonly id: string;
  readonly tenantId: string;
  readonly template: string;
  readonly channel: string;
  readonly recipient: string;
  readonly orderId?: string;
  readonly customerId?: string;
  readonly message: string;
  readonly sourceEventId: string;
}

export interface NotificationRow {
  readonly channel: string;
  readonly template: string;
  readonly recipient: string;
  readonly orderId: string | null;
  readonly createdAt: Date;
}

/**
 * The notifications sent (adapters/db/notification.repository.ts): the record that keeps a fact to
 * one send. Writes take the handler's transaction; reads are one statement.
 */
export abstract class NotificationStore {
  /** Record a notification: false when its fact was already notified (nothing written). */
  abstract insert(tx: Queryable, notification: NewNotification): Promise<boolean>;
  /** The tenant's notifications about one order or customer, newest first; `onlyCustomerId`: those addressed to it. */
  abstract list(tenantId: string, filter: NotificationFilter, limit: number, onlyCustomerId?: string): Promise<NotificationRow[]>;
}

/** A notification ready to be handed to its channel. */
export interface OutgoingNotification {
  readonly notificationId: string;
  readonly tenantId: string;
  readonly template: NotificationTemplate;
  readonly channel: ChannelKind;
  readonly recipient: string;
  readonly orderId?: string;
  readonly message: string;
  readonly reason?: string;
}

/**
 * Delivery of a notification on its channel (adapters/channels/channels.ts). Resolves once it is
 * handed over, throws when it cannot be (the handler's transaction then rolls back: retried, then
 * dead-lettered).
 */
export abstract class NotificationSender {
  abstract send(notification: OutgoingNotification): Promise<void>;
}
