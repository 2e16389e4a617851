import { Inject, Injectable } from '@nestjs/common';
import type { Database, Queryable, Transaction } from '@platform/events';
import type { OrderCancellationReason } from '@platform/contracts';
import { DATABASE } from '@platform/service-kit';
import type { HistoryEntry, Order } from '../../domain/order.js';
import type { OrderProgress, OrderStatus, PaymentState, StockState } from '../../domain/order-flow.js';
import type { PricedLine } from '../../domain/pricing.js';
import type { ExpiredOrder, NewOrder, OrderFilter, OrdersStore } from '../../application/ports.js';

interface OrderRow {
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

const ORDER_COLUMNS =
  'order_id, tenant_id, customer_id, status, cancellation_reason, payment_state, stock_state, total_cents, currency, items, created_at, updated_at, deadline_at';

/** SQL of `orders` and `order_history`. Writes take the caller's transaction; reads use the database. */
@Injectable()
export class OrdersRepository implements OrdersStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Store a new PENDING order, its history starting with `createdType` at its creation time. */
  async insert(tx: Transaction, order: NewOrder, createdType: string): Promise<Order> {
    const { rows } = await tx.query<OrderRow>(
      `WITH history AS (INSERT INTO order_history (order_id, type, at) VALUES ($1, $9, $7))
       INSERT INTO orders (order_id, tenant_id, customer_id, status, total_cents, currency, items, created_at, updated_at, deadline_at)
       VALUES ($1, $2, $3, 'PENDING', $4, $5, $6::jsonb, $7, $7, $8) RETURNING ${ORDER_COLUMNS}`,
      [order.orderId, order.tenantId, order.customerId, order.totalCents, order.currency, JSON.stringify(order.items), order.createdAt, order.deadlineAt, createdType],
    );
    return toOrder(rows[0]!);
  }

  /** The order of the tenant, read in `q` (the database, or a transaction); `lock` takes its row for the transaction. */
  async find(tenantId: string, orderId: string, q: Queryable = this.db, lock = false): Promise<Order | undefined> {
    const { rows } = await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`, [orderId, tenantId]);
    return rows[0] && toOrder(rows[0]);
  }

  /** The order's history, oldest first. */
  async history(orderId: string): Promise<HistoryEntry[]> {
    const { rows } = await this.db.query<{ type: string; at: Date | string }>('SELECT type, at FROM order_history WHERE order_id = $1 ORDER BY id', [orderId]);
    return rows.map((row) => ({ type: row.type, at: new Date(row.at) }));
  }

  /** The tenant's orders, newest first. */
  async list(tenantId: string, filter: OrderFilter): Promise<Order[]> {
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND ($2::text IS NULL OR customer_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY created_at DESC, order_id DESC LIMIT $4`,
      [tenantId, filter.customerId ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map(toOrder);
  }

  /**
   * How many orders are PENDING (every tenant), counting at most `cap` of them so that the query
   * stays cheap however large a backlog grows (an index-only scan of `orders_pending_deadline_idx`).
   */
  async countPending(cap: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM orders WHERE status = 'PENDING' LIMIT $1) AS pending`, [cap]);
    return rows[0]!.n;
  }

  /** Move the order to `next`; the history entries join in the same statement, in their order. */
  async move(tx: Transaction, orderId: string, next: OrderProgress, entries: readonly HistoryEntry[]): Promise<void> {
    await tx.query(
      `WITH history AS (
         INSERT INTO order_history (order_id, type, at) SELECT $1, h.type, h.at FROM unnest($6::text[], $7::timestamptz[]) WITH ORDINALITY AS h(type, at, n) ORDER BY h.n
       )
       UPDATE orders SET status = $2, payment_state = $3, stock_state = $4, cancellation_reason = $5, updated_at = now() WHERE order_id = $1`,
      [orderId, next.status, next.paymentState, next.stockState, next.cancellationReason ?? null, entries.map((e) => e.type), entries.map((e) => e.at.toISOString())],
    );
  }

  /** Add a history entry to an order of the tenant; false when the tenant has no such order. */
  async note(tx: Transaction, tenantId: string, orderId: string, entry: HistoryEntry): Promise<boolean> {
    const { rowCount } = await tx.query(
      'INSERT INTO order_history (order_id, type, at) SELECT order_id, $3, $4 FROM orders WHERE order_id = $1 AND tenant_id = $2',
      [orderId, tenantId, entry.type, entry.at.toISOString()],
    );
    return rowCount > 0;
  }

  /**
   * Take up to `batch` PENDING orders whose deadline has passed, locked for `tx`. SKIP LOCKED: rows
   * another transaction holds (another replica's sweep, an event handler on the order) are left to it.
   */
  async lockExpired(tx: Transaction, batch: number): Promise<ExpiredOrder[]> {
    const { rows } = await tx.query<{ order_id: string; tenant_id: string }>(
      `SELECT order_id, tenant_id FROM orders WHERE status = 'PENDING' AND deadline_at <= now() ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batch],
    );
    return rows.map((row) => ({ orderId: row.order_id, tenantId: row.tenant_id }));
  }
}

function toOrder(row: OrderRow): Order {
  return {
    orderId: row.order_id,
    tenantId: row.tenant_id,
    customerId: row.customer_id,
    status: row.status,
    paymentState: row.payment_state,
    stockState: row.stock_state,
    ...(row.cancellation_reason ? { cancellationReason: row.cancellation_reason } : {}),
    totalCents: Number(row.total_cents),
    currency: row.currency,
    items: row.items,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    deadlineAt: new Date(row.deadline_at),
  };
}
