import { Describe, IsOneOf } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsEntityId, IsMinorUnits } from '../fields.js';

/** Why the gateway refused an authorization. */
export const PaymentDeclineReason = {
  cardDeclined: 'card_declined',
  insufficientFunds: 'insufficient_funds',
  expiredCard: 'expired_card',
  fraudSuspected: 'fraud_suspected',
} as const;
export type PaymentDeclineReason = (typeof PaymentDeclineReason)[keyof typeof PaymentDeclineReason];

export class PaymentDeclinedV1 {
  @Describe('Payment id (UUIDv7)')
  @IsEntityId()
  paymentId!: string;

  @Describe('The order paid for')
  @IsEntityId()
  orderId!: string;

  @Describe('Amount that was refused, in minor units')
  @IsMinorUnits()
  amountCents!: number;

  @Describe('ISO 4217 currency code')
  @IsCurrencyCode()
  currency!: string;

  @Describe('card_declined, insufficient_funds, expired_card or fraud_suspected')
  @IsOneOf(PaymentDeclineReason)
  reason!: PaymentDeclineReason;
}

export const paymentDeclinedV1 = definePlatformEvent({
  type: 'payment.declined.v1',
  payload: PaymentDeclinedV1,
  aggregate: 'payment',
  subjectField: 'paymentId',
  description:
    'The gateway refused to authorize the order amount; the order service cancels the order with reason payment_declined.',
});
