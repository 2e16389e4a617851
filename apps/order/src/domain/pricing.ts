/** A line as the client sent it. */
export interface RequestedLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface CataloguePrice {
  readonly priceCents: number;
  readonly currency: string;
}

export interface PricedLine extends RequestedLine {
  readonly unitPriceCents: number;
}

export type PricingResult =
  | { readonly ok: true; readonly items: PricedLine[]; readonly totalCents: number; readonly currency: string }
  | { readonly ok: false; readonly unknownSkus?: string[]; readonly mixedCurrencies?: string[] };

/**
 * Price an order from the local catalogue projection (prices never come from the client).
 * Lines keep the client's order; a SKU missing from the catalogue, or lines priced in more than
 * one currency, refuse the order.
 */
export function priceOrder(lines: readonly RequestedLine[], catalogue: ReadonlyMap<string, CataloguePrice>): PricingResult {
  const unknown = [...new Set(lines.filter((line) => !catalogue.has(line.sku)).map((line) => line.sku))];
  if (unknown.length > 0) return { ok: false, unknownSkus: unknown };
  const currencies = [...new Set(lines.map((line) => catalogue.get(line.sku)!.currency))];
  if (currencies.length > 1) return { ok: false, mixedCurrencies: currencies.sort() };
  const items = lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPriceCents: catalogue.get(line.sku)!.priceCents }));
  const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  return { ok: true, items, totalCents, currency: currencies[0]! };
}
