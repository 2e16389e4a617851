import type { PaymentDeclineReason } from '@platform/contracts';
import type { Transaction } from '@platform/events';
import type { Payment, PaymentStatus } from '../domain/payment-lifecycle.js';

// What the use cases need from outside. Each abstract class is its own Nest token: app.module.ts
// binds it to its adapter (`{ provide: PaymentsStore, useExisting: PaymentsRepository }`).

export interface PaymentFilter {
  /** Only the payment of this order. */
  readonly orderId?: string;
  readonly limit: number;
}

/** The payments, one per tenant and order; writes take the handler's transaction, the list reads the database. */
export abstract class PaymentsStore {
  /** The tenant's payments, newest first. */
  abstract list(tenantId: string, filter: PaymentFilter): Promise<Payment[]>;
  /** The order's payment, locked until `tx` ends: concurrent deliveries for one order serialise here. */
  abstract findForUpdate(tx: Transaction, tenantId: string, orderId: string): Promise<Payment | undefined>;
  abstract insert(tx: Transaction, tenantId: string, payment: Payment): Promise<void>;
  abstract setStatus(tx: Transaction, paymentId: string, status: PaymentStatus): Promise<void>;
}

export interface AuthorizeRequest {
  /** The same key always returns the same answer, so a retried request never authorizes twice. */
  readonly idempotencyKey: string;
  readonly token: string;
  readonly amountCents: number;
  readonly currency: string;
}

export type AuthorizeResult = { readonly approved: true; readonly reference: string } | { readonly approved: false; readonly reason: PaymentDeclineReason };

export interface SettleRequest {
  readonly idempotencyKey: string;
  /** The authorization's gateway reference. */
  readonly reference: string;
  readonly amountCents: number;
}

/**
 * A card payment gateway (Stripe-like): authorize holds money, capture takes it, void releases a
 * hold, refund returns captured money. Every call is idempotent by `idempotencyKey`. Transient
 * failures throw a retryable error; declines are answers, not errors. The use cases get it behind
 * the circuit breaker, which counts every call.
 */
export abstract class PaymentGateway {
  abstract authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  abstract capture(request: SettleRequest): Promise<void>;
  abstract void(request: SettleRequest): Promise<void>;
  abstract refund(request: SettleRequest): Promise<void>;
}
