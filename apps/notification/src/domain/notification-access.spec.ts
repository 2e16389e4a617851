import { describe, expect, it } from 'vitest';
import { listingFilter } from './notification-access.js';

const orderId = '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a';

describe('listingFilter', () => {
  it('lists by order or by customer', () => {
    expect(listingFilter({ orderId }, undefined)).toEqual({ filter: { orderId } });
    expect(listingFilter({ customerId: 'c-1' }, undefined)).toEqual({ filter: { customerId: 'c-1' } });
  });

  it('refuses none or both of orderId and customerId, for operators and customers alike', () => {
    for (const own of [undefined, 'c-1']) {
      expect(listingFilter({}, own)).toEqual({ refused: 'not-exactly-one-filter' });
      expect(listingFilter({ orderId, customerId: 'c-1' }, own)).toEqual({ refused: 'not-exactly-one-filter' });
    }
  });

  it('lets a customer list its own notifications only', () => {
    expect(listingFilter({ customerId: 'c-1' }, 'c-1')).toEqual({ filter: { customerId: 'c-1' } });
    expect(listingFilter({ customerId: 'c-2' }, 'c-1')).toEqual({ refused: 'not-own-customer' });
  });

  it('lets a customer name any order (the listing is narrowed to what was sent to it)', () => {
    expect(listingFilter({ orderId }, 'c-1')).toEqual({ filter: { orderId } });
  });
});
