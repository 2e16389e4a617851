import { IsString, Length, Matches } from 'class-validator';
import { Describe, IsOneOf, Optional } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsEntityId } from '../fields.js';

/** How a notification was delivered. */
export const NotificationChannel = {
  email: 'email',
  sms: 'sms',
  push: 'push',
  webhook: 'webhook',
} as const;
export type NotificationChannel = (typeof NotificationChannel)[keyof typeof NotificationChannel];

export class NotificationSentV1 {
  @Describe('Notification id (UUIDv7)')
  @IsEntityId()
  notificationId!: string;

  @Describe('email, sms, push or webhook')
  @IsOneOf(NotificationChannel)
  channel!: NotificationChannel;

  @Describe('Template name, kebab-case (order-confirmed, order-cancelled, stock-low)')
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/)
  template!: string;

  @Describe('Where it went: an address, a number, or an operations endpoint; 1–254 characters')
  @IsString()
  @Length(1, 254)
  recipient!: string;

  @Describe('The order it is about, when there is one')
  @Optional()
  @IsEntityId()
  orderId?: string;
}

export const notificationSentV1 = definePlatformEvent({
  type: 'notification.sent.v1',
  payload: NotificationSentV1,
  aggregate: 'notification',
  subjectField: 'notificationId',
  description: 'A notification was handed to its channel (customer order updates, operations stock alerts).',
});
