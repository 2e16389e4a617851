import { Describe, IsOneOf, IsQuantity, IsTimestamp, NestedArray, NestedObject, Optional } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsCustomerId, IsEntityId, IsMinorUnits, IsPaymentToken, IsSku } from '../fields.js';

/** Loyalty tier of a customer when the order was placed. */
export const CustomerTier = {
  standard: 'standard',
  silver: 'silver',
  gold: 'gold',
} as const;
export type CustomerTier = (typeof CustomerTier)[keyof typeof CustomerTier];

/** Who placed the order; the tier travels with the order so loyalty need not look it up. */
export class OrderCreatedV2Customer {
  @Describe('Customer id as the client sent it, 1–64 characters')
  @IsCustomerId()
  id!: string;

  @Describe('Loyalty tier when the order was placed; absent when unknown (orders upcast from v1)')
  @Optional()
  @IsOneOf(CustomerTier)
  tier?: CustomerTier;
}

/** An amount of money that always carries its currency. */
export class OrderCreatedV2Money {
  @Describe('Amount in minor units of the currency')
  @IsMinorUnits()
  amountCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;
}

export class OrderCreatedV2Item {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units ordered, 1–100')
  @IsQuantity(1, 100)
  quantity!: number;

  @Describe('Price of one unit when the order was placed, in minor units of total.currency')
  @IsMinorUnits()
  unitPriceCents!: number;
}

/**
 * Version 2 of `order.created`. Breaking changes from v1: `customerId` became the `customer`
 * object (id and optional loyalty tier), and `totalCents` + `currency` became the `total` money
 * value. Items, token and deadline are unchanged. `orderCreatedV1ToV2` upcasts v1 events.
 */
export class OrderCreatedV2 {
  @Describe('Order id (UUIDv7)')
  @IsEntityId()
  orderId!: string;

  @NestedObject(() => OrderCreatedV2Customer)
  customer!: OrderCreatedV2Customer;

  @Describe('1–50 lines')
  @NestedArray(() => OrderCreatedV2Item, 1, 50)
  items!: OrderCreatedV2Item[];

  @Describe('Sum of quantity × unitPriceCents over the items')
  @NestedObject(() => OrderCreatedV2Money)
  total!: OrderCreatedV2Money;

  @Describe('Card token for the payment gateway (tok_…)')
  @IsPaymentToken()
  paymentToken!: string;

  @Describe('When the order is cancelled with reason "timeout" if still pending (RFC 3339)')
  @Optional()
  @IsTimestamp()
  deadlineAt?: string;
}

export const orderCreatedV2 = definePlatformEvent({
  type: 'order.created.v2',
  payload: OrderCreatedV2,
  aggregate: 'order',
  subjectField: 'orderId',
  description:
    'An order was accepted as PENDING (v2: customer object with loyalty tier, total as a money value); same reactions as v1.',
});
