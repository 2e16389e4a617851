import { Describe } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsEntityId, IsMinorUnits } from '../fields.js';

export class PaymentCapturedV1 {
  @Describe('Payment id (UUIDv7)')
  @IsEntityId()
  paymentId!: string;

  @Describe('The order paid for')
  @IsEntityId()
  orderId!: string;

  @Describe('Amount taken, in minor units')
  @IsMinorUnits()
  amountCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;
}

export const paymentCapturedV1 = definePlatformEvent({
  type: 'payment.captured.v1',
  payload: PaymentCapturedV1,
  aggregate: 'payment',
  subjectField: 'paymentId',
  description: 'The authorized amount of a confirmed order was taken from the customer.',
});
