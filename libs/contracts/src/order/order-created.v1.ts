import { Describe, IsQuantity, IsTimestamp, NestedArray, Optional } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsCustomerId, IsEntityId, IsMinorUnits, IsPaymentToken, IsSku } from '../fields.js';

/** One line of the order, priced from the order service's projection of the catalogue. */
export class OrderCreatedV1Item {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units ordered, 1–100')
  @IsQuantity(1, 100)
  quantity!: number;

  @Describe('Price of one unit when the order was placed, in minor units of the order currency')
  @IsMinorUnits()
  unitPriceCents!: number;
}

export class OrderCreatedV1 {
  @Describe('Order id (UUIDv7)')
  @IsEntityId()
  orderId!: string;

  @Describe('Customer id as the client sent it, 1–64 characters')
  @IsCustomerId()
  customerId!: string;

  @Describe('1–50 lines')
  @NestedArray(() => OrderCreatedV1Item, 1, 50)
  items!: OrderCreatedV1Item[];

  @Describe('Sum of quantity × unitPriceCents over the items, in minor units')
  @IsMinorUnits()
  totalCents!: number;

  @Describe('ISO 4217 currency code of every amount in the order')
  @IsCurrencyCode()
  currency!: string;

  @Describe('Card token for the payment gateway (tok_…)')
  @IsPaymentToken()
  paymentToken!: string;

  @Describe('When the order is cancelled with reason "timeout" if still pending (RFC 3339)')
  @Optional()
  @IsTimestamp()
  deadlineAt?: string;
}

export const orderCreatedV1 = definePlatformEvent({
  type: 'order.created.v1',
  payload: OrderCreatedV1,
  aggregate: 'order',
  subjectField: 'orderId',
  description:
    'An order was accepted as PENDING; payment authorizes it and inventory reserves its items, analytics and notification observe it.',
});
