import { defineUpcaster } from '@platform/events';
import { orderCreatedV2 } from './order-created.v2.js';
import { orderCreatedV3, type OrderCreatedV3 } from './order-created.v3.js';

/**
 * `order.created.v2` → `v3`: everything but the card token is copied field by field; the clear
 * `paymentToken` of a v1/v2 event is dropped, never carried into a v3 payload (an upcaster is a
 * pure function: it holds no key and cannot seal it), so `paymentTokenSealed` stays absent.
 * Consumers that do not charge cards (inventory, analytics) read legacy events through this
 * upcaster; the payment service keeps a v2 handler for the legacy clear token while v1/v2 events
 * may still be in ORDERS' retention (docs/services.md, "The payment token").
 */
export const orderCreatedV2ToV3 = defineUpcaster({
  from: orderCreatedV2,
  to: orderCreatedV3,
  upcast(v2): OrderCreatedV3 {
    return {
      orderId: v2.orderId,
      customer: { id: v2.customer.id, ...(v2.customer.tier !== undefined ? { tier: v2.customer.tier } : {}) },
      items: v2.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents })),
      total: { amountCents: v2.total.amountCents, currency: v2.total.currency },
      ...(v2.deadlineAt !== undefined ? { deadlineAt: v2.deadlineAt } : {}),
    };
  },
});
