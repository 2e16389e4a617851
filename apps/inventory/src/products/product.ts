/** A product as the HTTP API shows it (design brief §6). */
export interface ProductView {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  /** Units that can still be reserved. */
  readonly available: number;
  /** Units held by pending orders. */
  readonly reserved: number;
}

export interface ProductRow {
  sku: string;
  name: string;
  price_cents: string | number;
  currency: string;
  available: number;
  reserved: number;
  low_stock_threshold: number;
}

export const PRODUCT_COLUMNS = 'sku, name, price_cents, currency, available, reserved, low_stock_threshold';

export function toProductView(row: ProductRow): ProductView {
  return { sku: row.sku, name: row.name, priceCents: Number(row.price_cents), currency: row.currency, available: row.available, reserved: row.reserved };
}
