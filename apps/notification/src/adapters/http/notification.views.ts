import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { NotificationRow } from '../../application/ports.js';

export class NotificationItem {
  @ApiProperty({ type: 'string', description: 'How it was sent (email, webhook).', example: 'email' })
  channel!: string;

  @ApiProperty({ type: 'string', description: 'What it said (order-confirmed, order-cancelled).', example: 'order-confirmed' })
  template!: string;

  @ApiProperty({ type: 'string', description: 'To whom (the customer id).', example: 'c-1' })
  recipient!: string;

  @ApiPropertyOptional({ type: 'string', format: 'uuid' })
  orderId?: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  createdAt!: string;
}

/** `GET /notifications`. */
export class NotificationListView {
  @ApiProperty({ type: () => [NotificationItem], description: 'Newest first.' })
  items!: NotificationItem[];
}

/** A stored notification as listed (no `orderId` for one about no order). */
export function notificationItemOf(row: NotificationRow): NotificationItem {
  return {
    channel: row.channel,
    template: row.template,
    recipient: row.recipient,
    ...(row.orderId !== null ? { orderId: row.orderId } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}
