/** A catalogue product with its stock. */
export interface Product {
  readonly sku: string;
  readonly name: string;
  /** Unit price, minor units of `currency` (the catalogue currency). */
  readonly priceCents: number;
  readonly currency: string;
  /** Units that can still be reserved. */
  readonly available: number;
  /** Units held by pending orders. */
  readonly reserved: number;
}

/** What `PUT /products/:sku` may change; every field is optional. */
export interface ProductChanges {
  readonly name?: string;
  readonly priceCents?: number;
  readonly available?: number;
}

/** The fields a write stores. */
export interface ProductFields {
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

export type ProductWrite = { readonly kind: 'save'; readonly fields: ProductFields; readonly created: boolean } | { readonly kind: 'refused'; readonly reason: string };

/**
 * Changes applied to the product as it is (`undefined`: a new SKU). A new SKU needs `name` and
 * `priceCents` and starts with no stock unless `available` is given; on an existing one, a field
 * left out keeps its value (`available` is a stock correction: units held by pending orders are
 * not affected).
 */
export function applyProductChanges(sku: string, current: Pick<Product, 'name' | 'priceCents' | 'available'> | undefined, changes: ProductChanges): ProductWrite {
  if (!current) {
    if (changes.name === undefined || changes.priceCents === undefined) return { kind: 'refused', reason: `product ${sku} does not exist; creating it needs name and priceCents` };
    return { kind: 'save', created: true, fields: { name: changes.name, priceCents: changes.priceCents, available: changes.available ?? 0 } };
  }
  return {
    kind: 'save',
    created: false,
    fields: { name: changes.name ?? current.name, priceCents: changes.priceCents ?? current.priceCents, available: changes.available ?? current.available },
  };
}
