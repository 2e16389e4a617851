import { Describe } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsEntityId, IsMinorUnits } from '../fields.js';

export class PaymentRefundedV1 {
  @Describe('Payment id (UUIDv7)')
  @IsEntityId()
  paymentId!: string;

  @Describe('The order paid for')
  @IsEntityId()
  orderId!: string;

  @Describe('Amount returned, in minor units')
  @IsMinorUnits()
  amountCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;
}

export const paymentRefundedV1 = definePlatformEvent({
  type: 'payment.refunded.v1',
  payload: PaymentRefundedV1,
  aggregate: 'payment',
  subjectField: 'paymentId',
  description: 'Money already captured was returned to the customer, because its order was cancelled.',
});
