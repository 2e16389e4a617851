import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext } from '@platform/events';
import { inventoryStockLowV1, type InventoryStockLowV1, orderCancelledV1, type OrderCancelledV1, orderConfirmedV1, type OrderConfirmedV1 } from '@platform/contracts';
import { SERVICE_CONFIG } from '@platform/service-kit';
import { Notifier } from '../../application/notifier.js';
import type { NotificationServiceConfig } from '../../config.js';
import { type NotificationPlan, orderCancelledNotification, orderConfirmedNotification, stockLowAlert } from '../../domain/notification-rules.js';

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
    await this.notify(event, ctx, orderConfirmedNotification(event.data));
  }

  @HandleEvent(orderCancelledV1)
  async onOrderCancelled(@Payload() event: EventEnvelope<OrderCancelledV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.notify(event, ctx, orderCancelledNotification(event.data));
  }

  @HandleEvent(inventoryStockLowV1)
  async onStockLow(@Payload() event: EventEnvelope<InventoryStockLowV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.notify(event, ctx, stockLowAlert(event.data, this.config.NOTIFICATION_OPS_RECIPIENT));
  }

  /** Carry out `plan` in the message's transaction; the sent event continues the handled event's chain. */
  private notify(event: EventEnvelope, ctx: JetStreamContext, plan: NotificationPlan): Promise<void> {
    return this.notifier.notify(ctx.transaction, (e) => ctx.emit(e), { tenantId: event.tenantid, eventId: event.id }, plan);
  }
}
