import { inventoryCommittedV1 } from './inventory/inventory-committed.v1.js';
import { inventoryProductUpdatedV1 } from './inventory/inventory-product-updated.v1.js';
import { inventoryReleasedV1 } from './inventory/inventory-released.v1.js';
import { inventoryReservationFailedV1 } from './inventory/inventory-reservation-failed.v1.js';
import { inventoryReservedV1 } from './inventory/inventory-reserved.v1.js';
import { inventoryStockLowV1 } from './inventory/inventory-stock-low.v1.js';
import { loyaltyPointsAwardedV1 } from './loyalty/loyalty-points-awarded.v1.js';
import { notificationSentV1 } from './notification/notification-sent.v1.js';
import { orderCancelledV1 } from './order/order-cancelled.v1.js';
import { orderConfirmedV1 } from './order/order-confirmed.v1.js';
import { orderCreatedV1ToV2 } from './order/order-created.v1-to-v2.upcaster.js';
import { orderCreatedV1 } from './order/order-created.v1.js';
import { orderCreatedV2 } from './order/order-created.v2.js';
import { orderCreatedV2ToV3 } from './order/order-created.v2-to-v3.upcaster.js';
import { orderCreatedV3 } from './order/order-created.v3.js';
import { paymentAuthorizedV1 } from './payment/payment-authorized.v1.js';
import { paymentCapturedV1 } from './payment/payment-captured.v1.js';
import { paymentDeclinedV1 } from './payment/payment-declined.v1.js';
import { paymentRefundedV1 } from './payment/payment-refunded.v1.js';
import { paymentVoidedV1 } from './payment/payment-voided.v1.js';
import type { PayloadOf } from '@platform/events';
import { EventRegistry } from '@platform/events';

/** Every contract of the reference platform's order flow (design brief §4). */
export const platformContracts = [
  orderCreatedV1,
  orderCreatedV2,
  orderConfirmedV1,
  orderCancelledV1,
  orderCreatedV3,
  paymentAuthorizedV1,
  paymentDeclinedV1,
  paymentCapturedV1,
  paymentVoidedV1,
  paymentRefundedV1,
  inventoryReservedV1,
  inventoryReservationFailedV1,
  inventoryCommittedV1,
  inventoryReleasedV1,
  inventoryStockLowV1,
  inventoryProductUpdatedV1,
  loyaltyPointsAwardedV1,
  notificationSentV1,
] as const;

/** A versioned wire type of the platform catalogue (`'order.created.v1' | …`). */
export type PlatformEventType = (typeof platformContracts)[number]['type'];

/** The payload type of a platform event type: `PlatformPayload<'order.created.v1'>` is `OrderCreatedV1`. */
export type PlatformPayload<Type extends PlatformEventType> = PayloadOf<Extract<(typeof platformContracts)[number], { type: Type }>>;

/** The upcasters between versions of platform events. */
export const platformUpcasters = [orderCreatedV1ToV2, orderCreatedV2ToV3] as const;

/** A new registry holding the whole platform catalogue and its upcasters. */
export function createPlatformRegistry(): EventRegistry {
  return new EventRegistry().register(...platformContracts).registerUpcaster(...platformUpcasters);
}
