import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  HandleEvent,
  JetStreamContext,
  orderCancelledV1,
  orderConfirmedV1,
  orderCreatedV2,
  type EventEnvelope,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderCreatedV2,
} from '@platform/events';
import { PaymentsService } from './payments.service.js';

/** Payment's reactions to the order flow (durable `payment-orders`). */
@Controller()
export class OrderEventsController {
  constructor(private readonly payments: PaymentsService) {}

  @HandleEvent(orderCreatedV2)
  async onOrderCreated(@Payload() event: EventEnvelope<OrderCreatedV2>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { orderId, total, paymentToken } = event.data;
    await this.payments.authorize(ctx.tx!, (e) => ctx.emit(e), event.tenantid, { orderId, amountCents: total.amountCents, currency: total.currency, paymentToken });
  }

  @HandleEvent(orderConfirmedV1)
  async onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.payments.capture(ctx.tx!, (e) => ctx.emit(e), event.tenantid, event.data.orderId);
  }

  @HandleEvent(orderCancelledV1)
  async onOrderCancelled(@Payload() event: EventEnvelope<OrderCancelledV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { orderId, totalCents, currency } = event.data;
    await this.payments.cancel(ctx.tx!, (e) => ctx.emit(e), event.tenantid, { orderId, amountCents: totalCents, currency });
  }
}
