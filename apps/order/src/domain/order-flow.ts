import { OrderCancellationReason } from '@platform/contracts';

export const OrderStatus = {
  Pending: 'PENDING',
  Confirmed: 'CONFIRMED',
  Cancelled: 'CANCELLED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export type PaymentState = 'pending' | 'authorized' | 'declined';
export type StockState = 'pending' | 'reserved' | 'failed';

/** What the order service knows about one order's progress. */
export interface OrderProgress {
  readonly status: OrderStatus;
  readonly paymentState: PaymentState;
  readonly stockState: StockState;
  readonly cancellationReason?: OrderCancellationReason;
}

/** The facts that move an order (reactions of payment and inventory, and the clock). */
export type OrderFact =
  | { readonly kind: 'payment-authorized' }
  | { readonly kind: 'payment-declined' }
  | { readonly kind: 'stock-reserved' }
  | { readonly kind: 'stock-failed'; readonly reason: 'out_of_stock' | 'unknown_sku' }
  | { readonly kind: 'deadline-passed' };

export interface OrderDecision {
  readonly next: OrderProgress;
  /** The terminal event to emit now, if this fact ended the order. */
  readonly outcome?: 'confirmed' | 'cancelled';
}

/**
 * The order's state machine (design brief §4): confirmed once both the payment is authorized and
 * the stock reserved; cancelled on the first decline, failed reservation or passed deadline.
 * A terminal order does not move again, whatever arrives later (compensation is the other
 * services' reaction to `order.cancelled`).
 */
export function decide(order: OrderProgress, fact: OrderFact): OrderDecision {
  if (order.status !== OrderStatus.Pending) return { next: order };
  switch (fact.kind) {
    case 'payment-authorized':
      return confirmIfReady({ ...order, paymentState: 'authorized' });
    case 'stock-reserved':
      return confirmIfReady({ ...order, stockState: 'reserved' });
    case 'payment-declined':
      return cancel({ ...order, paymentState: 'declined' }, OrderCancellationReason.paymentDeclined);
    case 'stock-failed':
      return cancel({ ...order, stockState: 'failed' }, fact.reason);
    case 'deadline-passed':
      return cancel(order, OrderCancellationReason.timeout);
  }
}

function confirmIfReady(order: OrderProgress): OrderDecision {
  if (order.paymentState === 'authorized' && order.stockState === 'reserved') {
    return { next: { ...order, status: OrderStatus.Confirmed }, outcome: 'confirmed' };
  }
  return { next: order };
}

function cancel(order: OrderProgress, reason: OrderCancellationReason): OrderDecision {
  return { next: { ...order, status: OrderStatus.Cancelled, cancellationReason: reason }, outcome: 'cancelled' };
}
