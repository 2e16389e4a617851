import { Describe } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsCustomerId, IsEntityId, IsMinorUnits } from '../fields.js';

export class OrderConfirmedV1 {
  @Describe('Order id (UUIDv7)')
  @IsEntityId()
  orderId!: string;

  @Describe('Customer id, 1–64 characters')
  @IsCustomerId()
  customerId!: string;

  @Describe('Order total in minor units')
  @IsMinorUnits()
  totalCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;
}

export const orderConfirmedV1 = definePlatformEvent({
  type: 'order.confirmed.v1',
  payload: OrderConfirmedV1,
  aggregate: 'order',
  subjectField: 'orderId',
  description:
    'An order reached CONFIRMED (payment authorized and stock reserved); payment captures, inventory commits, loyalty awards points, notification tells the customer.',
});
