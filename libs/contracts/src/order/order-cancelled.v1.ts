import { Describe, IsOneOf, IsQuantity, NestedArray, Optional } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsCustomerId, IsEntityId, IsMinorUnits, IsSku } from '../fields.js';

/** Why an order was cancelled. */
export const OrderCancellationReason = {
  paymentDeclined: 'payment_declined',
  outOfStock: 'out_of_stock',
  unknownSku: 'unknown_sku',
  timeout: 'timeout',
} as const;
export type OrderCancellationReason = (typeof OrderCancellationReason)[keyof typeof OrderCancellationReason];

export class OrderCancelledV1Item {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units ordered, 1–100')
  @IsQuantity(1, 100)
  quantity!: number;
}

export class OrderCancelledV1 {
  @Describe('Order id (UUIDv7)')
  @IsEntityId()
  orderId!: string;

  @Describe('Customer id, 1–64 characters')
  @IsCustomerId()
  customerId!: string;

  @Describe('payment_declined, out_of_stock, unknown_sku (reservation failed) or timeout (deadline passed)')
  @IsOneOf(OrderCancellationReason)
  reason!: OrderCancellationReason;

  @Describe('Order total in minor units')
  @IsMinorUnits()
  totalCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;

  @Describe('The order lines, 1–50, for consumers that keep no copy of the order')
  @Optional()
  @NestedArray(() => OrderCancelledV1Item, 1, 50)
  items?: OrderCancelledV1Item[];
}

export const orderCancelledV1 = definePlatformEvent({
  type: 'order.cancelled.v1',
  payload: OrderCancelledV1,
  aggregate: 'order',
  subjectField: 'orderId',
  description:
    'An order reached CANCELLED; payment voids or refunds what it authorized, inventory releases what it reserved, notification tells the customer.',
});
