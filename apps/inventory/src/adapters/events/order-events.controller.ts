import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext } from '@platform/events';
import { orderCancelledV1, type OrderCancelledV1, orderConfirmedV1, type OrderConfirmedV1, orderCreatedV3, type OrderCreatedV3 } from '@platform/contracts';
import { ReservationsService } from '../../application/reservations.service.js';

/** Inventory's reactions to the order flow (durable `inventory-orders`). */
@Controller()
export class OrderEventsController {
  constructor(private readonly reservations: ReservationsService) {}

  /** `order.created` v1/v2 arrive upcast to v3 (their clear payment token dropped; inventory never needs it). */
  @HandleEvent(orderCreatedV3)
  async onOrderCreated(@Payload() event: EventEnvelope<OrderCreatedV3>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const lines = event.data.items.map(({ sku, quantity }) => ({ sku, quantity }));
    await this.reservations.reserve(ctx.transaction, (e) => ctx.emit(e), event.tenantid, event.data.orderId, lines);
  }

  @HandleEvent(orderConfirmedV1)
  async onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.reservations.commit(ctx.transaction, (e) => ctx.emit(e), event.tenantid, event.data.orderId);
  }

  @HandleEvent(orderCancelledV1)
  async onOrderCancelled(@Payload() event: EventEnvelope<OrderCancelledV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.reservations.release(ctx.transaction, (e) => ctx.emit(e), event.tenantid, event.data.orderId);
  }
}
