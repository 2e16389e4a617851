import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  HandleEvent,
  inventoryCommittedV1,
  inventoryProductUpdatedV1,
  inventoryReleasedV1,
  inventoryReservationFailedV1,
  inventoryReservedV1,
  inventoryStockLowV1,
  JetStreamContext,
  loyaltyPointsAwardedV1,
  notificationSentV1,
  orderCancelledV1,
  orderConfirmedV1,
  orderCreatedV2,
  paymentAuthorizedV1,
  paymentCapturedV1,
  paymentDeclinedV1,
  paymentRefundedV1,
  paymentVoidedV1,
  type EventEnvelope,
  type InventoryCommittedV1,
  type InventoryProductUpdatedV1,
  type InventoryReleasedV1,
  type InventoryReservationFailedV1,
  type InventoryReservedV1,
  type InventoryStockLowV1,
  type LoyaltyPointsAwardedV1,
  type NotificationSentV1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderCreatedV2,
  type PaymentAuthorizedV1,
  type PaymentCapturedV1,
  type PaymentDeclinedV1,
  type PaymentRefundedV1,
  type PaymentVoidedV1,
} from '@platform/events';
import { AnalyticsMetrics } from './analytics.metrics.js';
import { applyFact } from './analytics.store.js';
import { factOf } from './apply-rules.js';

/**
 * The analytics consumers (analytics-orders, -payments, -inventory, -loyalty, -notifications):
 * every event is recorded as a fact and moves its tenant's counters, in the message's
 * transaction (`ctx.tx`, which also holds the inbox record, so a duplicate never gets here).
 * order.created.v1 arrives upcast to v2.
 */
@Controller()
export class AnalyticsEventsController {
  constructor(private readonly metrics: AnalyticsMetrics) {}

  @HandleEvent(orderCreatedV2)
  onOrderCreated(@Payload() event: EventEnvelope<OrderCreatedV2>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(orderConfirmedV1)
  onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(orderCancelledV1)
  onOrderCancelled(@Payload() event: EventEnvelope<OrderCancelledV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(paymentAuthorizedV1)
  onPaymentAuthorized(@Payload() event: EventEnvelope<PaymentAuthorizedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(paymentDeclinedV1)
  onPaymentDeclined(@Payload() event: EventEnvelope<PaymentDeclinedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(paymentCapturedV1)
  onPaymentCaptured(@Payload() event: EventEnvelope<PaymentCapturedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(paymentVoidedV1)
  onPaymentVoided(@Payload() event: EventEnvelope<PaymentVoidedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(paymentRefundedV1)
  onPaymentRefunded(@Payload() event: EventEnvelope<PaymentRefundedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(inventoryReservedV1)
  onInventoryReserved(@Payload() event: EventEnvelope<InventoryReservedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(inventoryReservationFailedV1)
  onInventoryReservationFailed(@Payload() event: EventEnvelope<InventoryReservationFailedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(inventoryCommittedV1)
  onInventoryCommitted(@Payload() event: EventEnvelope<InventoryCommittedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(inventoryReleasedV1)
  onInventoryReleased(@Payload() event: EventEnvelope<InventoryReleasedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(inventoryStockLowV1)
  onInventoryStockLow(@Payload() event: EventEnvelope<InventoryStockLowV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(inventoryProductUpdatedV1)
  onInventoryProductUpdated(@Payload() event: EventEnvelope<InventoryProductUpdatedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(loyaltyPointsAwardedV1)
  onLoyaltyPointsAwarded(@Payload() event: EventEnvelope<LoyaltyPointsAwardedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  @HandleEvent(notificationSentV1)
  onNotificationSent(@Payload() event: EventEnvelope<NotificationSentV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.apply(event, ctx);
  }

  private async apply(event: EventEnvelope, ctx: JetStreamContext): Promise<void> {
    const tx = ctx.tx!;
    if (await applyFact(tx, factOf(event))) tx.afterCommit(() => this.metrics.eventApplied(event.type));
  }
}
