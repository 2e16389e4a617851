import { BadRequestException, Controller, ForbiddenException, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCustomerId, IsEntityId } from '@platform/contracts';
import { ApiErrorResponses, ApiProtected, customerScopeOf, Principal, TenantId } from '@platform/service-kit';
import { NotificationRepository } from '../db/notification.repository.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

export class ListNotificationsQuery {
  /** Notifications about this order (a UUID). Exactly one of `orderId` and `customerId`. */
  @ApiPropertyOptional({ type: 'string', format: 'uuid', description: 'Notifications about this order. Exactly one of `orderId` and `customerId`.' })
  @IsOptional()
  @IsEntityId()
  orderId?: string;

  /** Notifications for this customer (1–64 characters). Exactly one of `orderId` and `customerId`. */
  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: 64,
    description: "Notifications for this customer (a customer token: its own only). Exactly one of `orderId` and `customerId`.",
  })
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  /** At most this many, 1–100, default 50. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'At most this many, newest first.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;
}

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

@ApiTags('notifications')
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
  @ApiOperation({ summary: 'Notifications of an order or a customer', description: 'Newest first. Exactly one of `orderId` and `customerId`.' })
  @ApiProtected({ customerScope: 'only what was sent to it' })
  @ApiOkResponse({ description: 'The notifications (empty for an unknown order).', type: NotificationListView })
  @ApiErrorResponses(
    [400, 'Not exactly one of `orderId` and `customerId`, an invalid or unknown query parameter, or a malformed `X-Tenant-Id`.'],
    [403, "A customer token asking for another customer's notifications, the token's role, or a tenant other than `X-Tenant-Id`."],
  )
  async list(@TenantId() tenantId: string, @Principal() principal: Principal, @Query() query: ListNotificationsQuery): Promise<{ items: NotificationItem[] }> {
    const { orderId, customerId } = query;
    if ((orderId === undefined) === (customerId === undefined)) {
      throw new BadRequestException('exactly one of the query parameters orderId or customerId is required');
    }
    // A customer token reads what was sent to it: ?customerId= its own only (403 otherwise), and
    // ?orderId= lists only the notifications of that order addressed to it (none for another
    // customer's order: the same empty answer as an unknown order).
    const own = customerScopeOf(principal);
    if (own !== undefined && customerId !== undefined && customerId !== own) {
      throw new ForbiddenException('a customer token reads only its own notifications (customerId must be the token’s sub)');
    }
    const filter = orderId !== undefined ? { orderId } : { customerId: customerId! };
    const rows = await this.repository.list(tenantId, filter, query.limit ?? DEFAULT_LIMIT, own);
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
