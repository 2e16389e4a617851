import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext } from '@platform/events';
import { inventoryCommittedV1, inventoryProductUpdatedV1, type InventoryProductUpdatedV1, inventoryReleasedV1, inventoryReservationFailedV1, type InventoryReservationFailedV1, inventoryReservedV1, paymentAuthorizedV1, paymentCapturedV1, paymentDeclinedV1, paymentRefundedV1, paymentVoidedV1 } from '@platform/contracts';
import type { OrderFact } from '../../domain/order-flow.js';
import { CatalogueProjection } from '../../application/catalogue-projection.js';
import { OrderFlow } from '../../application/order-flow.service.js';

type AboutAnOrder = EventEnvelope<{ orderId: string }>;

/**
 * The order service's reactions (durables `order-payments` and `order-inventory`): payment and
 * inventory outcomes move the order; settlements are recorded in its history; product events
 * feed the catalogue projection that prices new orders.
 */
@Controller()
export class FlowEventsController {
  constructor(
    private readonly flow: OrderFlow,
    private readonly catalogue: CatalogueProjection,
  ) {}

  @HandleEvent(paymentAuthorizedV1)
  onPaymentAuthorized(@Payload() event: AboutAnOrder, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx, { kind: 'payment-authorized' });
  }

  @HandleEvent(paymentDeclinedV1)
  onPaymentDeclined(@Payload() event: AboutAnOrder, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx, { kind: 'payment-declined' });
  }

  @HandleEvent(inventoryReservedV1)
  onReserved(@Payload() event: AboutAnOrder, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx, { kind: 'stock-reserved' });
  }

  @HandleEvent(inventoryReservationFailedV1)
  onReservationFailed(@Payload() event: EventEnvelope<InventoryReservationFailedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx, { kind: 'stock-failed', reason: event.data.reason });
  }

  /** Settlements and stock movements: recorded in the order's history, they do not move it. */
  @HandleEvent(paymentCapturedV1, paymentVoidedV1, paymentRefundedV1, inventoryCommittedV1, inventoryReleasedV1)
  onSettled(@Payload() event: AboutAnOrder, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.flow.note(ctx.transaction, event.tenantid, event.data.orderId, event.type, new Date(event.time));
  }

  @HandleEvent(inventoryProductUpdatedV1)
  onProductUpdated(@Payload() event: EventEnvelope<InventoryProductUpdatedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.catalogue.productUpdated(ctx.transaction, event.tenantid, event.data);
  }

  private apply(event: AboutAnOrder, ctx: JetStreamContext, fact: OrderFact): Promise<void> {
    return this.flow.apply(ctx.transaction, (e) => ctx.emit(e), event.tenantid, event.data.orderId, fact, event.type, new Date(event.time));
  }
}
