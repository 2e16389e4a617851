/** Where a payment stands; `cancelled` is an order cancelled before any authorization. */
export type PaymentStatus = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded' | 'cancelled';

/** A payment as stored: one per tenant and order. */
export interface Payment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
  readonly currency: string;
  readonly declineReason?: string;
  /** The authorization's gateway reference (authorized payments and those settled after). */
  readonly gatewayReference?: string;
}

export type GatewayOperation = 'authorize' | 'capture' | 'void' | 'refund';

/** A gateway call settling an authorization, and the status it leaves the payment in. */
export type Settlement = { readonly operation: 'capture'; readonly status: 'captured' } | { readonly operation: 'void'; readonly status: 'voided' } | { readonly operation: 'refund'; readonly status: 'refunded' };

const CAPTURE: Settlement = { operation: 'capture', status: 'captured' };
const VOID: Settlement = { operation: 'void', status: 'voided' };
const REFUND: Settlement = { operation: 'refund', status: 'refunded' };

/**
 * The gateway's idempotency key of one operation on one order: the same key always gets the same
 * answer, so a redelivered event never charges twice.
 */
export function idempotencyKey(tenantId: string, orderId: string, operation: GatewayOperation): string {
  return `${tenantId}:${orderId}:${operation}`;
}

/**
 * `order.created`: authorize once. Any payment already recorded wins — an authorization or a
 * decline from an earlier delivery, or a cancellation seen first.
 */
export function shouldAuthorize(current: Payment | undefined): boolean {
  return current === undefined;
}

/** What the gateway's answer to an authorization makes of the payment. */
export function authorizedStatus(approved: boolean): 'authorized' | 'declined' {
  return approved ? 'authorized' : 'declined';
}

export type ConfirmDecision = { readonly kind: 'settle'; readonly payment: Payment; readonly settlement: Settlement } | { readonly kind: 'done' } | { readonly kind: 'refused'; readonly reason: string };

/**
 * `order.confirmed`: capture an authorization; one already captured is done. Anything else (no
 * payment, a decline, a cancellation) is a bug upstream, refused for a human to look at.
 */
export function onOrderConfirmed(orderId: string, current: Payment | undefined): ConfirmDecision {
  if (current?.status === 'captured') return { kind: 'done' };
  if (current?.status !== 'authorized') return { kind: 'refused', reason: `order ${orderId} was confirmed but its payment is ${current?.status ?? 'missing'}` };
  return { kind: 'settle', payment: current, settlement: CAPTURE };
}

export type CancelDecision = { readonly kind: 'settle'; readonly payment: Payment; readonly settlement: Settlement } | { readonly kind: 'record-cancelled' } | { readonly kind: 'done' };

/**
 * `order.cancelled`: void an authorization (before capture), refund a capture. An order with no
 * payment yet is recorded as `cancelled`, so that its `order.created`, if redriven from the DLQ
 * later, authorizes nothing. A declined, voided, refunded or cancelled payment is left as it is.
 */
export function onOrderCancelled(current: Payment | undefined): CancelDecision {
  if (!current) return { kind: 'record-cancelled' };
  if (current.status === 'authorized') return { kind: 'settle', payment: current, settlement: VOID };
  if (current.status === 'captured') return { kind: 'settle', payment: current, settlement: REFUND };
  return { kind: 'done' };
}
