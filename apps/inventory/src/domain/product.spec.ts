import { describe, expect, it } from 'vitest';
import { applyProductChanges } from './product.js';

const beans = { name: 'Beans', priceCents: 1500, available: 10 };

describe('applyProductChanges', () => {
  it('creates a new SKU from name and price, with no stock unless given', () => {
    expect(applyProductChanges('SKU-1', undefined, { name: 'Beans', priceCents: 1500 })).toEqual({ kind: 'save', created: true, fields: { name: 'Beans', priceCents: 1500, available: 0 } });
    expect(applyProductChanges('SKU-1', undefined, { name: 'Beans', priceCents: 0, available: 7 })).toEqual({ kind: 'save', created: true, fields: { name: 'Beans', priceCents: 0, available: 7 } });
  });

  it('refuses a new SKU without a name or a price', () => {
    const refused = { kind: 'refused', reason: 'product SKU-1 does not exist; creating it needs name and priceCents' };
    expect(applyProductChanges('SKU-1', undefined, { name: 'Beans', available: 3 })).toEqual(refused);
    expect(applyProductChanges('SKU-1', undefined, { priceCents: 1500 })).toEqual(refused);
  });

  it('changes only the fields given on an existing SKU', () => {
    expect(applyProductChanges('SKU-1', beans, { priceCents: 1600 })).toEqual({ kind: 'save', created: false, fields: { ...beans, priceCents: 1600 } });
    expect(applyProductChanges('SKU-1', beans, { available: 0 })).toEqual({ kind: 'save', created: false, fields: { ...beans, available: 0 } });
    expect(applyProductChanges('SKU-1', beans, {})).toEqual({ kind: 'save', created: false, fields: beans });
  });
});
