import type { Queryable, Transaction } from '@platform/events';
import type { HistoryEntry, Order } from '../domain/order.js';
import type { OrderProgress, OrderStatus } from '../domain/order-flow.js';
import type { CataloguePrice } from '../domain/pricing.js';

// The stores the use cases need. Each abstract class is its own Nest token: app.module.ts binds it
// to its SQL repository (`{ provide: OrdersStore, useExisting: OrdersRepository }`).

/** A new order: PENDING, nothing heard from payment or inventory yet. */
export type NewOrder = Pick<Order, 'orderId' | 'tenantId' | 'customerId' | 'totalCents' | 'currency' | 'items' | 'createdAt' | 'deadlineAt'>;

export interface OrderFilter {
  readonly customerId?: string;
  readonly status?: OrderStatus;
  readonly limit: number;
}

/** An order that is due to be cancelled by the deadline sweeper. */
export interface ExpiredOrder {
  readonly orderId: string;
  readonly tenantId: string;
}

/** What an `Idempotency-Key` names: the order of its first request, and that request's hash. */
export interface ClaimedKey {
  readonly requestHash: string;
  readonly orderId: string;
}

/** A product as `inventory.product-updated` carries it. */
export interface CatalogueProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
}

/** Orders and their history; writes take the handler's transaction, reads use the database unless given one. */
export abstract class OrdersStore {
  /** Store a new PENDING order, its history starting with `createdType`. */
  abstract insert(tx: Transaction, order: NewOrder, createdType: string): Promise<Order>;
  /** The tenant's order, read in `q` (default: the database); `lock` takes its row for the transaction. */
  abstract find(tenantId: string, orderId: string, q?: Queryable, lock?: boolean): Promise<Order | undefined>;
  /** The order's history, oldest first. */
  abstract history(orderId: string): Promise<HistoryEntry[]>;
  /** The tenant's orders, newest first. */
  abstract list(tenantId: string, filter: OrderFilter): Promise<Order[]>;
  /** PENDING orders of every tenant, counting at most `cap`. */
  abstract countPending(cap: number): Promise<number>;
  /** Move the order to `next`, appending `entries` to its history. */
  abstract move(tx: Transaction, orderId: string, next: OrderProgress, entries: readonly HistoryEntry[]): Promise<void>;
  /** Append a history entry to the tenant's order; false when the tenant has no such order. */
  abstract note(tx: Transaction, tenantId: string, orderId: string, entry: HistoryEntry): Promise<boolean>;
  /** Up to `batch` PENDING orders past their deadline, locked for `tx` (rows locked elsewhere skipped). */
  abstract lockExpired(tx: Transaction, batch: number): Promise<ExpiredOrder[]>;
}

/** `Idempotency-Key`s and the order each names; claims take the handler's transaction. */
export abstract class IdempotencyKeysStore {
  /** Claim the tenant's `key` for `orderId`; false when it is claimed already. */
  abstract claim(tx: Transaction, tenantId: string, key: string, requestHash: string, orderId: string): Promise<boolean>;
  /** The claim of a key that `claim` found taken. */
  abstract claimed(tx: Transaction, tenantId: string, key: string): Promise<ClaimedKey>;
  /** Whether `key` already names an order of the tenant (outside any transaction). */
  abstract exists(tenantId: string, key: string): Promise<boolean>;
}

/** The catalogue projection's prices (from inventory's products); reads and writes take the handler's transaction. */
export abstract class CatalogueStore {
  /** The prices of the SKUs the tenant's catalogue knows (an unknown SKU is absent from the map). */
  abstract prices(tx: Transaction, tenantId: string, skus: readonly string[]): Promise<Map<string, CataloguePrice>>;
  /** Insert or replace the product. */
  abstract upsert(tx: Transaction, tenantId: string, product: CatalogueProduct): Promise<void>;
}
