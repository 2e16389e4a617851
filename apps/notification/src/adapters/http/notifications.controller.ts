import { BadRequestException, Controller, ForbiddenException, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiProtected, customerScopeOf, Principal, TenantId } from '@platform/service-kit';
import { NotificationQueries } from '../../application/notification-queries.js';
import { listingFilter } from '../../domain/notification-access.js';
import { DEFAULT_LIMIT, ListNotificationsQuery } from './list-notifications.query.js';
import { type NotificationItem, notificationItemOf, NotificationListView } from './notification.views.js';

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationQueries) {}

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
    // A customer token reads what was sent to it: ?customerId= its own only (403 otherwise), and
    // ?orderId= lists only the notifications of that order addressed to it (none for another
    // customer's order: the same empty answer as an unknown order).
    const own = customerScopeOf(principal);
    const decided = listingFilter(query, own);
    if ('refused' in decided) {
      throw decided.refused === 'not-exactly-one-filter'
        ? new BadRequestException('exactly one of the query parameters orderId or customerId is required')
        : new ForbiddenException('a customer token reads only its own notifications (customerId must be the token’s sub)');
    }
    const rows = await this.notifications.list(tenantId, decided.filter, query.limit ?? DEFAULT_LIMIT, own);
    return { items: rows.map(notificationItemOf) };
  }
}
