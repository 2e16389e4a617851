import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCustomerId, IsEntityId } from '@platform/events';
import { TenantId } from '@platform/service-kit';
import { NotificationRepository } from './notification.repository.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

export class ListNotificationsQuery {
  /** Notifications about this order (a UUID). Exactly one of `orderId` and `customerId`. */
  @IsOptional()
  @IsEntityId()
  orderId?: string;

  /** Notifications for this customer (1–64 characters). Exactly one of `orderId` and `customerId`. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  /** At most this many, 1–100, default 50. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;
}

export interface NotificationItem {
  channel: string;
  template: string;
  recipient: string;
  orderId?: string;
  createdAt: string;
}

@Controller('notifications')
export class NotificationsController {
  constructor(private readonly repository: NotificationRepository) {}

  /**
   * `GET /notifications?orderId=` or `?customerId=` → `{items:[{channel,template,recipient,orderId,createdAt}]}`,
   * newest first. Exactly one filter is required (400 otherwise): listing a whole tenant's
   * notifications is not part of the contract. Operations alerts (stock-low) have neither an
   * order nor a customer and are not listed here. Another tenant's notifications are never
   * returned (an empty list, as for an order that has none).
   */
  @Get()
  async list(@TenantId() tenantId: string, @Query() query: ListNotificationsQuery): Promise<{ items: NotificationItem[] }> {
    const { orderId, customerId } = query;
    if ((orderId === undefined) === (customerId === undefined)) {
      throw new BadRequestException('exactly one of the query parameters orderId or customerId is required');
    }
    const filter = orderId !== undefined ? { orderId } : { customerId: customerId! };
    const rows = await this.repository.list(tenantId, filter, query.limit ?? DEFAULT_LIMIT);
    return {
      items: rows.map((row) => ({
        channel: row.channel,
        template: row.template,
        recipient: row.recipient,
        ...(row.orderId !== null ? { orderId: row.orderId } : {}),
        createdAt: row.createdAt.toISOString(),
      })),
    };
  }
}
