import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext, PermanentError } from '@platform/events';
import { orderCancelledV1, type OrderCancelledV1, orderConfirmedV1, type OrderConfirmedV1, orderCreatedV2, type OrderCreatedV2, orderCreatedV3, type OrderCreatedV3 } from '@platform/contracts';
import { PaymentTokenSealer } from '@platform/service-kit';
import { PaymentsService } from '../../application/payments.service.js';

/** Payment's reactions to the order flow (durable `payment-orders`). */
@Controller()
export class OrderEventsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly sealer: PaymentTokenSealer,
  ) {}

  /**
   * `order.created.v3`: the token arrives sealed for this service, bound to the tenant and order.
   * One that does not open (a key missing from PAYMENT_TOKEN_KEYS, a tampered value, a token moved
   * from another order) throws a permanent error: the event is dead-lettered at once with the
   * reason, never retried nor dropped, and can be redriven once the keys are fixed.
   */
  @HandleEvent(orderCreatedV3)
  async onOrderCreated(@Payload() event: EventEnvelope<OrderCreatedV3>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { orderId, total, paymentTokenSealed } = event.data;
    if (paymentTokenSealed === undefined) throw new PermanentError(`order.created of order ${orderId} carries no sealed payment token`);
    const paymentToken = this.sealer.unseal(paymentTokenSealed, { tenantId: event.tenantid, orderId });
    await this.payments.authorize(ctx.transaction, (e) => ctx.emit(e), event.tenantid, { orderId, amountCents: total.amountCents, currency: total.currency, paymentToken });
  }

  /**
   * Transition only: `order.created` v1/v2 (v1 upcast to v2) still in ORDERS' retention carry the
   * token in clear, published before the order service sealed it. Remove this handler (v1/v2 then
   * reach the v3 handler without a token and are dead-lettered) once ORDERS' max age has passed
   * since the order service moved to v3 (docs/services.md, "The payment token").
   */
  @HandleEvent(orderCreatedV2)
  async onLegacyOrderCreated(@Payload() event: EventEnvelope<OrderCreatedV2>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { orderId, total, paymentToken } = event.data;
    await this.payments.authorize(ctx.transaction, (e) => ctx.emit(e), event.tenantid, { orderId, amountCents: total.amountCents, currency: total.currency, paymentToken });
  }

  @HandleEvent(orderConfirmedV1)
  async onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.payments.capture(ctx.transaction, (e) => ctx.emit(e), event.tenantid, event.data.orderId);
  }

  @HandleEvent(orderCancelledV1)
  async onOrderCancelled(@Payload() event: EventEnvelope<OrderCancelledV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const { orderId, totalCents, currency } = event.data;
    await this.payments.cancel(ctx.transaction, (e) => ctx.emit(e), event.tenantid, { orderId, amountCents: totalCents, currency });
  }
}
