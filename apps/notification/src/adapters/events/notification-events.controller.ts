import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext } from '@platform/events';
import { inventoryStockLowV1, type InventoryStockLowV1, orderCancelledV1, type OrderCancelledV1, orderConfirmedV1, type OrderConfirmedV1 } from '@platform/contracts';
import { SERVICE_CONFIG } from '@platform/service-kit';
import type { NotificationServiceConfig } from '../../config.js';
import { orderCancelledNotification, orderConfirmedNotification, stockLowAlert } from '../../domain/notification-rules.js';
import { Notifier } from '../../application/notifier.js';

/**
 * Event handlers of the notification service: durables `notification-orders` (orders.*.*, strict
 * per-order ordering; order.created has no handler and is acknowledged as ignored) and
 * `notification-inventory` (inventory.*.stock-low).
 */
@Controller()
export class NotificationEventsController {
  constructor(
    private readonly notifier: Notifier,
    @Inject(SERVICE_CONFIG) private readonly config: NotificationServiceConfig,
  ) {}

  @HandleEvent(orderConfirmedV1)
  async onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.notifier.notify(ctx, orderConfirmedNotification(event.data));
  }

  @HandleEvent(orderCancelledV1)
  async onOrderCancelled(@Payload() event: EventEnvelope<OrderCancelledV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.notifier.notify(ctx, orderCancelledNotification(event.data));
  }

  @HandleEvent(inventoryStockLowV1)
  async onStockLow(@Payload() event: EventEnvelope<InventoryStockLowV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.notifier.notify(ctx, stockLowAlert(event.data, this.config.NOTIFICATION_OPS_RECIPIENT));
  }
}
