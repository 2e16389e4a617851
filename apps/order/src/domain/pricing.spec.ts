import { describe, expect, it } from 'vitest';
import { priceOrder, type CataloguePrice } from './pricing.js';

const catalogue = new Map<string, CataloguePrice>([
  ['A', { priceCents: 250, currency: 'USD' }],
  ['B', { priceCents: 1000, currency: 'USD' }],
  ['E', { priceCents: 900, currency: 'EUR' }],
]);

describe('priceOrder', () => {
  it('prices every line from the catalogue and sums the total in minor units', () => {
    expect(
      priceOrder(
        [
          { sku: 'A', quantity: 3 },
          { sku: 'B', quantity: 1 },
        ],
        catalogue,
      ),
    ).toEqual({
      ok: true,
      items: [
        { sku: 'A', quantity: 3, unitPriceCents: 250 },
        { sku: 'B', quantity: 1, unitPriceCents: 1000 },
      ],
      totalCents: 1750,
      currency: 'USD',
    });
  });

  it('refuses unknown SKUs, naming each once', () => {
    expect(
      priceOrder(
        [
          { sku: 'X', quantity: 1 },
          { sku: 'A', quantity: 1 },
          { sku: 'X', quantity: 2 },
        ],
        catalogue,
      ),
    ).toEqual({ ok: false, unknownSkus: ['X'] });
  });

  it('refuses lines priced in different currencies', () => {
    expect(
      priceOrder(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'E', quantity: 1 },
        ],
        catalogue,
      ),
    ).toEqual({ ok: false, mixedCurrencies: ['EUR', 'USD'] });
  });
});
