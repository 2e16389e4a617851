import { ReservationFailureReason } from '@platform/contracts';

/** Where an order's reservation stands; `cancelled` is an order cancelled before any reservation. */
export type ReservationStatus = 'reserved' | 'failed' | 'committed' | 'released' | 'cancelled';

/** One order line as inventory sees it. */
export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}

/** A product's stock as read (and locked) before a reservation. */
export interface StockLevel {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
  readonly lowStockThreshold: number;
}

export interface LowStock {
  readonly sku: string;
  readonly available: number;
  readonly threshold: number;
}

export type ReservationPlan =
  | { readonly kind: 'reserved'; readonly lines: readonly StockLine[]; readonly lowStock: readonly LowStock[] }
  | { readonly kind: 'failed'; readonly reason: ReservationFailureReason; readonly skus: readonly string[] };

/** Order lines merged per SKU (an order may name a SKU twice), sorted by SKU: the lock order. */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

/**
 * All or nothing: every line is reserved, or none. An unknown SKU fails the order with
 * `unknown_sku` (before any stock check); otherwise lines wanting more than is available fail it
 * with `out_of_stock`. A successful reservation reports the products it took from above their
 * threshold to at or below it (a stock-low alert fires once per crossing, not on every order).
 */
export function planReservation(lines: readonly StockLine[], stock: ReadonlyMap<string, StockLevel>): ReservationPlan {
  const merged = mergeLines(lines);
  const unknown = merged.filter((line) => !stock.has(line.sku)).map((line) => line.sku);
  if (unknown.length > 0) return { kind: 'failed', reason: ReservationFailureReason.unknownSku, skus: unknown };
  const short = merged.filter((line) => stock.get(line.sku)!.available < line.quantity).map((line) => line.sku);
  if (short.length > 0) return { kind: 'failed', reason: ReservationFailureReason.outOfStock, skus: short };
  const lowStock: LowStock[] = [];
  for (const line of merged) {
    const level = stock.get(line.sku)!;
    const after = level.available - line.quantity;
    if (level.available > level.lowStockThreshold && after <= level.lowStockThreshold) {
      lowStock.push({ sku: line.sku, available: after, threshold: level.lowStockThreshold });
    }
  }
  return { kind: 'reserved', lines: merged, lowStock };
}

/** Units of all lines together (the units metric). */
export function unitsOf(lines: readonly StockLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

/**
 * `order.confirmed` of an order whose reservation is not `reserved` (any more): done when it is
 * already committed (a redelivery); anything else means the order was confirmed without its
 * reservation, a bug upstream, refused for a human to look at.
 */
export function confirmWithoutReservation(orderId: string, status: ReservationStatus | undefined): { readonly kind: 'done' } | { readonly kind: 'refused'; readonly reason: string } {
  if (status === 'committed') return { kind: 'done' };
  return { kind: 'refused', reason: `order ${orderId} was confirmed but its reservation is ${status ?? 'missing'}` };
}
