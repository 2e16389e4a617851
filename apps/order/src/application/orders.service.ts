import { createHash } from 'node:crypto';
import { Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { type Database, type EmitEvent, type EventsRuntime, newEventId, PermanentError, type Transaction } from '@platform/events';
import { orderCancelledV1, orderConfirmedV1, orderCreatedV3, type OrderCreatedV3 } from '@platform/contracts';
import { DATABASE, EVENTS_RUNTIME, PaymentTokenSealer, SERVICE_CONFIG, type RequestEventContext } from '@platform/service-kit';
import type { OrderServiceConfig } from '../config.js';
import { decide, OrderStatus, type OrderFact } from '../domain/order-flow.js';
import { priceOrder, type CataloguePrice, type RequestedLine } from '../domain/pricing.js';
import { OrderMetrics } from './order.metrics.js';
import { iso, ORDER_COLUMNS, toCreatedView, toOrderView, type CreatedOrderView, type OrderRow, type OrderView } from '../adapters/http/order.views.js';


export interface PlaceOrder {
  readonly customerId: string;
  readonly items: readonly RequestedLine[];
  readonly paymentToken: string;
}

export interface ListOrders {
  readonly customerId?: string;
  readonly status?: OrderStatus;
  readonly limit: number;
}

/** Orders: placing them (HTTP, with idempotency keys), their state machine, and reads. */
@Injectable()
export class OrdersService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENTS_RUNTIME) private readonly runtime: EventsRuntime,
    @Inject(SERVICE_CONFIG) private readonly config: OrderServiceConfig,
    private readonly metrics: OrderMetrics,
    private readonly sealer: PaymentTokenSealer,
  ) {}

  /**
   * Price the order from the catalogue projection, store it PENDING with its `order.created`
   * event in one transaction. With an idempotency key, a retried request (same key, same body)
   * returns the order created the first time; the same key with another body is refused (422).
   * The card token is not stored: it travels only sealed for the payment service, bound to this
   * tenant and order (`paymentTokenSealed`), and the idempotency fingerprint keeps only a hash.
   */
  async place(tenantId: string, order: PlaceOrder, idempotencyKey: string | undefined, context: RequestEventContext): Promise<{ order: CreatedOrderView; replayed: boolean }> {
    return this.db.transaction(async (tx) => {
      const orderId = newEventId();
      if (idempotencyKey !== undefined) {
        const requestHash = requestHashOf(order);
        const claimed = await tx.query(
          'INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING',
          [tenantId, idempotencyKey, requestHash, orderId],
        );
        if (claimed.rowCount === 0) return { order: await this.replay(tx, tenantId, idempotencyKey, requestHash), replayed: true };
      }
      const pricing = priceOrder(order.items, await this.prices(tx, tenantId, order.items));
      if (!pricing.ok) {
        throw new UnprocessableEntityException(
          pricing.unknownSkus ? `unknown SKU: ${pricing.unknownSkus.join(', ')}` : `items are priced in different currencies: ${pricing.mixedCurrencies!.join(', ')}`,
        );
      }
      const now = new Date();
      const deadline = new Date(now.getTime() + this.config.ORDER_DEADLINE_MS);
      const { rows } = await tx.query<OrderRow>(
        `WITH history AS (INSERT INTO order_history (order_id, type, at) VALUES ($1, $9, $7))
         INSERT INTO orders (order_id, tenant_id, customer_id, status, total_cents, currency, items, created_at, updated_at, deadline_at)
         VALUES ($1, $2, $3, 'PENDING', $4, $5, $6::jsonb, $7, $7, $8) RETURNING ${ORDER_COLUMNS}`,
        [orderId, tenantId, order.customerId, pricing.totalCents, pricing.currency, JSON.stringify(pricing.items), now, deadline, historyTypeOf(orderCreatedV3.type)],
      );
      const data: OrderCreatedV3 = {
        orderId,
        customer: { id: order.customerId },
        items: pricing.items,
        total: { amountCents: pricing.totalCents, currency: pricing.currency },
        paymentTokenSealed: this.sealer.seal(order.paymentToken, { tenantId, orderId }),
        deadlineAt: deadline.toISOString(),
      };
      await this.runtime.outbox.append(tx, { type: orderCreatedV3.type, tenantId, aggregateId: orderId, data, ...context });
      tx.afterCommit(() => this.metrics.created.inc());
      return { order: toCreatedView(rows[0]!), replayed: false };
    });
  }

  /**
   * How many orders are PENDING (every tenant), counting at most `cap` of them so that the query
   * stays cheap however large a backlog grows (an index-only scan of `orders_pending_deadline_idx`).
   */
  async countPending(cap: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM orders WHERE status = 'PENDING' LIMIT $1) AS pending`, [cap]);
    return rows[0]!.n;
  }

  /** Whether `key` already names an order of the tenant: a request with it would be a replay. */
  async hasIdempotencyKey(tenantId: string, key: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
    return rowCount === 1;
  }

  async get(tenantId: string, orderId: string): Promise<OrderView> {
    const row = await this.find(this.db, tenantId, orderId);
    if (!row) throw new NotFoundException(`order ${orderId} not found`);
    const { rows } = await this.db.query<{ type: string; at: Date }>('SELECT type, at FROM order_history WHERE order_id = $1 ORDER BY id', [orderId]);
    return toOrderView(row, rows);
  }

  async list(tenantId: string, filter: ListOrders): Promise<OrderView[]> {
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = $1 AND ($2::text IS NULL OR customer_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY created_at DESC, order_id DESC LIMIT $4`,
      [tenantId, filter.customerId ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map((row) => toOrderView(row));
  }

  /**
   * Apply a fact reported by payment, inventory or the clock, inside the caller's transaction:
   * record it in the history and, when it ends the order, emit `order.confirmed` or `order.cancelled`.
   */
  async apply(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string, fact: OrderFact, historyType: string, at: Date): Promise<void> {
    const order = await this.find(tx, tenantId, orderId, true);
    // Our own order.created precedes every reaction to it, so a missing order is not a race: it
    // is an event about an order this service never had. A human must look at it.
    if (!order) throw new PermanentError(`${historyType} for unknown order ${orderId} (tenant ${tenantId})`);
    const { next, outcome } = decide(
      { status: order.status, paymentState: order.payment_state, stockState: order.stock_state, ...(order.cancellation_reason ? { cancellationReason: order.cancellation_reason } : {}) },
      fact,
    );
    const now = new Date();
    // The fact, and the order's end when it ends it, join the history in the statement that moves the order.
    const entries: Array<[string, Date]> = [[historyType, at]];
    if (outcome) entries.push([outcome === 'confirmed' ? orderConfirmedV1.type : orderCancelledV1.type, now]);
    await tx.query(
      `WITH history AS (
         INSERT INTO order_history (order_id, type, at) SELECT $1, h.type, h.at FROM unnest($6::text[], $7::timestamptz[]) WITH ORDINALITY AS h(type, at, n) ORDER BY h.n
       )
       UPDATE orders SET status = $2, payment_state = $3, stock_state = $4, cancellation_reason = $5, updated_at = now() WHERE order_id = $1`,
      [orderId, next.status, next.paymentState, next.stockState, next.cancellationReason ?? null, entries.map(([type]) => historyTypeOf(type)), entries.map(([, when]) => iso(when))],
    );
    if (!outcome) return;
    const base = { orderId, customerId: order.customer_id, totalCents: Number(order.total_cents), currency: order.currency };
    if (outcome === 'confirmed') {
      await emit({ type: orderConfirmedV1.type, aggregateId: orderId, data: base });
    } else {
      const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
      await emit({ type: orderCancelledV1.type, aggregateId: orderId, data: { ...base, reason: next.cancellationReason, items } });
    }
    const seconds = (now.getTime() - new Date(order.created_at).getTime()) / 1000;
    tx.afterCommit(() => {
      if (outcome === 'confirmed') {
        this.metrics.confirmed.inc();
        this.metrics.revenue.inc(base.totalCents);
      } else {
        this.metrics.cancelled.inc({ reason: next.cancellationReason! });
      }
      this.metrics.flowDuration.observe({ outcome }, seconds);
    });
  }

  /** Record an event about an order that does not move it (captured, committed, voided, …). */
  async note(tx: Transaction, tenantId: string, orderId: string, historyType: string, at: Date): Promise<void> {
    const { rowCount } = await tx.query(
      'INSERT INTO order_history (order_id, type, at) SELECT order_id, $3, $4 FROM orders WHERE order_id = $1 AND tenant_id = $2',
      [orderId, tenantId, historyTypeOf(historyType), iso(at)],
    );
    if (rowCount === 0) throw new PermanentError(`${historyType} for unknown order ${orderId} (tenant ${tenantId})`);
  }

  /**
   * Cancel up to `batch` orders whose deadline has passed, with reason `timeout`. Rows are taken
   * with SKIP LOCKED, so several replicas sweep without blocking each other or an event handler
   * working on the same order (whichever commits first decides; the other sees a terminal order).
   */
  async cancelExpired(batch = 100): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ order_id: string; tenant_id: string }>(
        `SELECT order_id, tenant_id FROM orders WHERE status = 'PENDING' AND deadline_at <= now() ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      const now = new Date();
      for (const row of rows) {
        const emit: EmitEvent = (event) => this.runtime.outbox.append(tx, { ...event, tenantId: row.tenant_id });
        await this.apply(tx, emit, row.tenant_id, row.order_id, { kind: 'deadline-passed' }, 'order.deadline-passed', now);
      }
      return rows.length;
    });
  }

  /** The catalogue projection, fed by `inventory.product-updated` (event-carried state transfer). */
  async upsertProduct(tx: Transaction, tenantId: string, product: { sku: string; name: string; priceCents: number; currency: string }): Promise<void> {
    await tx.query(
      `INSERT INTO catalogue (tenant_id, sku, name, price_cents, currency) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency, updated_at = now()`,
      [tenantId, product.sku, product.name, product.priceCents, product.currency],
    );
  }

  private async replay(tx: Transaction, tenantId: string, key: string, requestHash: string): Promise<CreatedOrderView> {
    const { rows } = await tx.query<{ request_hash: string; order_id: string }>('SELECT request_hash, order_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
    const claimed = rows[0]!;
    if (claimed.request_hash !== requestHash) {
      throw new UnprocessableEntityException('Idempotency-Key was already used with a different request body');
    }
    const order = await this.find(tx, tenantId, claimed.order_id);
    return toCreatedView(order!);
  }

  private async prices(tx: Transaction, tenantId: string, items: readonly RequestedLine[]): Promise<Map<string, CataloguePrice>> {
    const { rows } = await tx.query<{ sku: string; price_cents: string | number; currency: string }>(
      'SELECT sku, price_cents, currency FROM catalogue WHERE tenant_id = $1 AND sku = ANY($2::text[])',
      [tenantId, [...new Set(items.map((item) => item.sku))]],
    );
    return new Map(rows.map((row) => [row.sku, { priceCents: Number(row.price_cents), currency: row.currency }]));
  }

  private async find(q: Database | Transaction, tenantId: string, orderId: string, lock = false): Promise<OrderRow | undefined> {
    const { rows } = await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`, [orderId, tenantId]);
    return rows[0];
  }

}

/** The history names an event without its version: `payment.authorized`. */
function historyTypeOf(type: string): string {
  return type.replace(/\.v\d+$/, '');
}

/** What identifies a request body for `Idempotency-Key`: the same key with another hash is refused. */
function requestHashOf(order: PlaceOrder): string {
  return createHash('sha256').update(JSON.stringify([order.customerId, order.items.map((i) => [i.sku, i.quantity]), order.paymentToken])).digest('hex');
}
