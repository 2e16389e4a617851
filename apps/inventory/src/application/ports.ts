import type { Transaction } from '@platform/events';
import type { Product, ProductFields } from '../domain/product.js';
import type { ReservationStatus, StockLevel, StockLine } from '../domain/reservation.js';

// The stores the use cases need. Each abstract class is its own Nest token: app.module.ts binds it
// to its SQL repository (`{ provide: ProductsStore, useExisting: ProductsRepository }`).

/** What a product row is written with besides its fields: the catalogue's currency and stock-low threshold. */
export interface CatalogueSettings {
  readonly currency: string;
  readonly lowStockThreshold: number;
}

/** The catalogue's products; writes take the caller's transaction, plain reads use the database. */
export abstract class ProductsStore {
  /** The tenant's products, by SKU. */
  abstract list(tenantId: string): Promise<Product[]>;
  abstract get(tenantId: string, sku: string): Promise<Product | undefined>;
  /** The product, locked until `tx` ends. */
  abstract findForUpdate(tx: Transaction, tenantId: string, sku: string): Promise<Product | undefined>;
  /** Insert or overwrite the product's fields (its reserved units are kept); the product as stored. */
  abstract upsert(tx: Transaction, tenantId: string, sku: string, fields: ProductFields, settings: CatalogueSettings): Promise<Product>;
  /** Insert the product unless the SKU exists; the product when this call inserted it. */
  abstract insertIfAbsent(tx: Transaction, tenantId: string, sku: string, fields: ProductFields, settings: CatalogueSettings): Promise<Product | undefined>;
}

/** Orders' reservations and the stock they move (product rows locked in SKU order); everything takes the handler's transaction. */
export abstract class ReservationsStore {
  /** The order's reservation status, if it has one. */
  abstract statusOf(tx: Transaction, tenantId: string, orderId: string): Promise<ReservationStatus | undefined>;
  /** The stock of the `skus` that exist, locked until `tx` ends. */
  abstract lockStock(tx: Transaction, tenantId: string, skus: readonly string[]): Promise<Map<string, StockLevel>>;
  /** Lock the lines' product rows, before `move` updates them. */
  abstract lockProducts(tx: Transaction, tenantId: string, lines: readonly StockLine[]): Promise<void>;
  /** Add `availableSign × quantity` to available and `reservedSign × quantity` to reserved, per line. */
  abstract move(tx: Transaction, tenantId: string, lines: readonly StockLine[], availableSign: -1 | 0 | 1, reservedSign: -1 | 1): Promise<void>;
  abstract insert(tx: Transaction, tenantId: string, orderId: string, status: ReservationStatus, lines: readonly StockLine[], reason?: string): Promise<void>;
  /** Remember an order cancelled before any reservation (nothing if it has one meanwhile). */
  abstract insertCancelled(tx: Transaction, tenantId: string, orderId: string): Promise<void>;
  /** Move a `reserved` reservation to `next`; its lines as stored, undefined when it was not reserved. */
  abstract transition(tx: Transaction, tenantId: string, orderId: string, next: ReservationStatus): Promise<StockLine[] | undefined>;
}
