/** Tenant seeded at first start (design brief §4): about 20 products with stock. */
export const DEMO_TENANT = 'demo';

export interface SeedProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

/**
 * The `demo` catalogue. SKU-019 and SKU-020 start with little stock so that the quick start can
 * show a stock-low alert and an out-of-stock cancellation.
 */
export const DEMO_CATALOGUE: readonly SeedProduct[] = [
  { sku: 'SKU-001', name: 'Espresso beans 1 kg', priceCents: 2499, available: 1000 },
  { sku: 'SKU-002', name: 'Pour-over kettle', priceCents: 4599, available: 500 },
  { sku: 'SKU-003', name: 'Burr grinder', priceCents: 12900, available: 200 },
  { sku: 'SKU-004', name: 'Ceramic dripper', priceCents: 2200, available: 500 },
  { sku: 'SKU-005', name: 'Paper filters (100)', priceCents: 650, available: 2000 },
  { sku: 'SKU-006', name: 'Milk jug 600 ml', priceCents: 1850, available: 400 },
  { sku: 'SKU-007', name: 'Digital scale', priceCents: 3900, available: 300 },
  { sku: 'SKU-008', name: 'Tamper 58 mm', priceCents: 2900, available: 300 },
  { sku: 'SKU-009', name: 'Travel mug', priceCents: 1999, available: 800 },
  { sku: 'SKU-010', name: 'Cold brew bottle', priceCents: 2750, available: 400 },
  { sku: 'SKU-011', name: 'Decaf beans 500 g', priceCents: 1450, available: 600 },
  { sku: 'SKU-012', name: 'Single-origin sampler', priceCents: 3400, available: 300 },
  { sku: 'SKU-013', name: 'Knock box', priceCents: 2100, available: 250 },
  { sku: 'SKU-014', name: 'Cleaning tablets', priceCents: 899, available: 1500 },
  { sku: 'SKU-015', name: 'Descaler', priceCents: 1299, available: 1000 },
  { sku: 'SKU-016', name: 'Espresso cups (2)', priceCents: 1599, available: 500 },
  { sku: 'SKU-017', name: 'French press', priceCents: 3299, available: 350 },
  { sku: 'SKU-018', name: 'Moka pot', priceCents: 2899, available: 350 },
  { sku: 'SKU-019', name: 'Limited roast 250 g', priceCents: 1900, available: 8 },
  { sku: 'SKU-020', name: 'Barista course voucher', priceCents: 9900, available: 3 },
];
