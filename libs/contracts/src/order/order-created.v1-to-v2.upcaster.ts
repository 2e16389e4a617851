import { defineUpcaster } from '@platform/events';
import { orderCreatedV1 } from './order-created.v1.js';
import { orderCreatedV2, type OrderCreatedV2 } from './order-created.v2.js';

/**
 * `order.created.v1` → `v2`: `customerId` becomes `customer.id` (the tier is unknown in v1, so
 * it stays absent) and `totalCents` + `currency` become `total`. Fields are copied one by one
 * so that nothing v1-only leaks into a v2 payload.
 */
export const orderCreatedV1ToV2 = defineUpcaster({
  from: orderCreatedV1,
  to: orderCreatedV2,
  upcast(v1): OrderCreatedV2 {
    return {
      orderId: v1.orderId,
      customer: { id: v1.customerId },
      items: v1.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents })),
      total: { amountCents: v1.totalCents, currency: v1.currency },
      paymentToken: v1.paymentToken,
      ...(v1.deadlineAt !== undefined ? { deadlineAt: v1.deadlineAt } : {}),
    };
  },
});
