import { Describe } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsEntityId, IsMinorUnits } from '../fields.js';

export class PaymentAuthorizedV1 {
  @Describe('Payment id (UUIDv7)')
  @IsEntityId()
  paymentId!: string;

  @Describe('The order paid for')
  @IsEntityId()
  orderId!: string;

  @Describe('Amount held, in minor units')
  @IsMinorUnits()
  amountCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;
}

export const paymentAuthorizedV1 = definePlatformEvent({
  type: 'payment.authorized.v1',
  payload: PaymentAuthorizedV1,
  aggregate: 'payment',
  subjectField: 'paymentId',
  description:
    'The gateway authorized the order amount (funds held, not yet taken); the order service waits for it before confirming.',
});
