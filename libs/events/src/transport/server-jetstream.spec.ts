import { describe, expect, it } from 'vitest';
import { OrderingMode } from './inbox.js';
import { orderingForFilter } from './server-jetstream.js';

describe('orderingForFilter', () => {
  it('is strict for filters that pass every event of a domain', () => {
    expect(orderingForFilter('orders.*.*')).toBe(OrderingMode.Strict);
    expect(orderingForFilter('orders.>')).toBe(OrderingMode.Strict);
    expect(orderingForFilter(undefined)).toBe(OrderingMode.Strict);
  });

  it('only drops stale events for filters narrowed to one event', () => {
    expect(orderingForFilter('orders.*.confirmed')).toBe(OrderingMode.DropStale);
    expect(orderingForFilter('inventory.*.stock-low')).toBe(OrderingMode.DropStale);
  });
});
