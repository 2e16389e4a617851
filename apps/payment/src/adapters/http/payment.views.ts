import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Payment, PaymentStatus } from '../../domain/payment-lifecycle.js';

/** A payment as `GET /payments` shows it (no gateway reference). */
export type PaymentView = Omit<Payment, 'gatewayReference'>;

export function toPaymentView(payment: Payment): PaymentView {
  const { paymentId, orderId, status, amountCents, currency, declineReason } = payment;
  return { paymentId, orderId, status, amountCents, currency, ...(declineReason ? { declineReason } : {}) };
}

// Every status, once: the compiler refuses a missing or unknown one.
const PAYMENT_STATUSES = Object.keys({ authorized: true, declined: true, captured: true, voided: true, refunded: true, cancelled: true } satisfies Record<PaymentStatus, true>);

/** {@link PaymentView} as documented in the OpenAPI document (`GET /payments`). */
export class PaymentViewSchema implements PaymentView {
  @ApiProperty({ type: 'string', format: 'uuid' })
  readonly paymentId!: string;

  @ApiProperty({ type: 'string', format: 'uuid' })
  readonly orderId!: string;

  @ApiProperty({ type: 'string', enum: PAYMENT_STATUSES })
  readonly status!: PaymentStatus;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'The order total, minor units.', example: 3000 })
  readonly amountCents!: number;

  @ApiProperty({ type: 'string', pattern: '^[A-Z]{3}$', example: 'USD' })
  readonly currency!: string;

  @ApiPropertyOptional({ type: 'string', description: 'Why the gateway declined the card (`declined` payments).', example: 'card_declined' })
  readonly declineReason?: string;
}

/** `GET /payments`. */
export class PaymentListView {
  @ApiProperty({ type: () => [PaymentViewSchema], description: 'Newest first.' })
  readonly items!: PaymentView[];
}
