import { orderCancelledV1, type OrderCancelledV1, orderConfirmedV1, type OrderConfirmedV1 } from '@platform/contracts';
import type { OrderDecision, OrderProgress } from './order-flow.js';
import type { PricedLine } from './pricing.js';

/** An order as the order service keeps it. */
export interface Order extends OrderProgress {
  readonly orderId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: PricedLine[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deadlineAt: Date;
}

/** The event that ends an order, as its aggregate emits it. */
export type OrderOutcomeEvent =
  | { readonly type: typeof orderConfirmedV1.type; readonly aggregateId: string; readonly data: OrderConfirmedV1 }
  | { readonly type: typeof orderCancelledV1.type; readonly aggregateId: string; readonly data: OrderCancelledV1 };

/**
 * What to emit when `decision` ended `order`: `order.confirmed`, or `order.cancelled` with its
 * reason and the lines (sku and quantity only, for consumers that keep no copy of the order).
 * Nothing while the order is still pending or was already terminal.
 */
export function outcomeEvent(order: Order, decision: OrderDecision): OrderOutcomeEvent | undefined {
  if (!decision.outcome) return undefined;
  const base = { orderId: order.orderId, customerId: order.customerId, totalCents: order.totalCents, currency: order.currency };
  if (decision.outcome === 'confirmed') return { type: orderConfirmedV1.type, aggregateId: order.orderId, data: base };
  const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
  return { type: orderCancelledV1.type, aggregateId: order.orderId, data: { ...base, reason: decision.next.cancellationReason!, items } };
}

/** The history names an event without its version: `payment.authorized`. */
export function historyTypeOf(type: string): string {
  return type.replace(/\.v\d+$/, '');
}

/** One step of an order's history. */
export interface HistoryEntry {
  readonly type: string;
  readonly at: Date;
}

/**
 * What a fact adds to the order's history: the event that reported it (at its own time) and, when
 * the decision ended the order, its end (at `now`), in that order.
 */
export function historyEntries(eventType: string, at: Date, decision: OrderDecision, now: Date): HistoryEntry[] {
  const entries: HistoryEntry[] = [{ type: historyTypeOf(eventType), at }];
  if (decision.outcome) entries.push({ type: historyTypeOf(decision.outcome === 'confirmed' ? orderConfirmedV1.type : orderCancelledV1.type), at: now });
  return entries;
}
