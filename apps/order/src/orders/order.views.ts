import type { OrderCancellationReason } from '@platform/events';
import type { PaymentState, StockState, OrderStatus } from '../domain/order-flow.js';
import type { PricedLine } from '../domain/pricing.js';

export interface OrderRow {
  order_id: string;
  tenant_id: string;
  customer_id: string;
  status: OrderStatus;
  cancellation_reason: OrderCancellationReason | null;
  payment_state: PaymentState;
  stock_state: StockState;
  total_cents: string | number;
  currency: string;
  items: PricedLine[];
  created_at: Date | string;
  updated_at: Date | string;
  deadline_at: Date | string;
}

export const ORDER_COLUMNS =
  'order_id, tenant_id, customer_id, status, cancellation_reason, payment_state, stock_state, total_cents, currency, items, created_at, updated_at, deadline_at';

/** `201` body of `POST /orders` (design brief §6). */
export interface CreatedOrderView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: PricedLine[];
  readonly createdAt: string;
}

/** `GET /orders/:id` (with history) and the entries of `GET /orders` (without). */
export interface OrderView extends CreatedOrderView {
  readonly cancellationReason?: OrderCancellationReason;
  readonly customerId: string;
  readonly updatedAt: string;
  readonly history?: Array<{ type: string; at: string }>;
}

export const iso = (value: Date | string): string => new Date(value).toISOString();

export function toCreatedView(row: OrderRow): CreatedOrderView {
  return { orderId: row.order_id, status: row.status, totalCents: Number(row.total_cents), currency: row.currency, items: row.items, createdAt: iso(row.created_at) };
}

export function toOrderView(row: OrderRow, history?: Array<{ type: string; at: Date | string }>): OrderView {
  return {
    orderId: row.order_id,
    status: row.status,
    ...(row.cancellation_reason ? { cancellationReason: row.cancellation_reason } : {}),
    customerId: row.customer_id,
    totalCents: Number(row.total_cents),
    currency: row.currency,
    items: row.items,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    ...(history ? { history: history.map((entry) => ({ type: entry.type, at: iso(entry.at) })) } : {}),
  };
}
