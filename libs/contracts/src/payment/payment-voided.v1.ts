import { Describe } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsEntityId, IsMinorUnits } from '../fields.js';

export class PaymentVoidedV1 {
  @Describe('Payment id (UUIDv7)')
  @IsEntityId()
  paymentId!: string;

  @Describe('The order paid for')
  @IsEntityId()
  orderId!: string;

  @Describe('Amount released, in minor units')
  @IsMinorUnits()
  amountCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;
}

export const paymentVoidedV1 = definePlatformEvent({
  type: 'payment.voided.v1',
  payload: PaymentVoidedV1,
  aggregate: 'payment',
  subjectField: 'paymentId',
  description: 'An authorization was released without taking money, because its order was cancelled.',
});
