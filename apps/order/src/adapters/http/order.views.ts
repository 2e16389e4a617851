import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OrderCancellationReason, SKU_PATTERN } from '@platform/contracts';
import { OrderStatus, type PaymentState, type StockState } from '../../domain/order-flow.js';
import type { PricedLine } from '../../domain/pricing.js';

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

/** One priced line of an order. */
export class OrderLineView implements PricedLine {
  @ApiProperty({ type: 'string', description: 'Catalogue SKU.', pattern: SKU_PATTERN.source, example: 'SKU-001' })
  readonly sku!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 2 })
  readonly quantity!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Catalogue price per unit when the order was placed, minor units.', example: 1500 })
  readonly unitPriceCents!: number;
}

/** One step of an order's history. */
export class OrderHistoryEntryView {
  @ApiProperty({ type: 'string', description: 'What happened: the event type (created, authorized, reserved, confirmed, cancelled, …).', example: 'order.created' })
  readonly type!: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  readonly at!: string;
}

/** `201` body of `POST /orders` (design brief §6). */
export class CreatedOrderView {
  @ApiProperty({ type: 'string', format: 'uuid' })
  readonly orderId!: string;

  @ApiProperty({ type: 'string', enum: Object.values(OrderStatus), description: '`PENDING` for a new order.' })
  readonly status!: OrderStatus;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Sum of quantity × unitPriceCents, minor units.', example: 3000 })
  readonly totalCents!: number;

  @ApiProperty({ type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency of the catalogue.', example: 'USD' })
  readonly currency!: string;

  @ApiProperty({ type: () => [OrderLineView] })
  readonly items!: PricedLine[];

  @ApiProperty({ type: 'string', format: 'date-time' })
  readonly createdAt!: string;
}

/** `GET /orders/:id` (with history) and the entries of `GET /orders` (without). */
export class OrderView extends CreatedOrderView {
  @ApiPropertyOptional({ type: 'string', enum: Object.values(OrderCancellationReason), description: 'Why a `CANCELLED` order was cancelled.' })
  readonly cancellationReason?: OrderCancellationReason;

  @ApiProperty({ type: 'string', minLength: 1, maxLength: 64 })
  readonly customerId!: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  readonly updatedAt!: string;

  @ApiPropertyOptional({ type: () => [OrderHistoryEntryView], description: 'Oldest first; only in `GET /orders/:id`.' })
  readonly history?: Array<{ type: string; at: string }>;
}

/** `GET /orders`. */
export class OrderListView {
  @ApiProperty({ type: () => [OrderView], description: 'Newest first, without `history`.' })
  readonly items!: OrderView[];
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
