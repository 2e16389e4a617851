import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OrderCancellationReason, SKU_PATTERN } from '@platform/contracts';
import type { HistoryEntry, Order } from '../../domain/order.js';
import { OrderStatus } from '../../domain/order-flow.js';
import type { PricedLine } from '../../domain/pricing.js';

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

export function toCreatedView(order: Order): CreatedOrderView {
  return { orderId: order.orderId, status: order.status, totalCents: order.totalCents, currency: order.currency, items: order.items, createdAt: order.createdAt.toISOString() };
}

export function toOrderView(order: Order, history?: readonly HistoryEntry[]): OrderView {
  return {
    orderId: order.orderId,
    status: order.status,
    ...(order.cancellationReason ? { cancellationReason: order.cancellationReason } : {}),
    customerId: order.customerId,
    totalCents: order.totalCents,
    currency: order.currency,
    items: order.items,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    ...(history ? { history: history.map((entry) => ({ type: entry.type, at: entry.at.toISOString() })) } : {}),
  };
}
