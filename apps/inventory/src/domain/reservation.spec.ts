import { describe, expect, it } from 'vitest';
import { confirmWithoutReservation, mergeLines, planReservation, type StockLevel, unitsOf } from './reservation.js';

const stock = (...levels: Array<[string, number, number?]>) =>
  new Map<string, StockLevel>(levels.map(([sku, available, threshold = 5]) => [sku, { sku, available, reserved: 0, lowStockThreshold: threshold }]));

describe('mergeLines', () => {
  it('adds up lines naming the same SKU and sorts by SKU', () => {
    expect(
      mergeLines([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 4 },
    ]);
  });
});

describe('planReservation', () => {
  it('reserves every line when all are available', () => {
    expect(planReservation([{ sku: 'A', quantity: 2 }], stock(['A', 20]))).toEqual({ kind: 'reserved', lines: [{ sku: 'A', quantity: 2 }], lowStock: [] });
  });

  it('fails the whole order with out_of_stock when one line is short, naming only the short SKUs', () => {
    const plan = planReservation(
      [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 4 },
      ],
      stock(['A', 20], ['B', 3]),
    );
    expect(plan).toEqual({ kind: 'failed', reason: 'out_of_stock', skus: ['B'] });
  });

  it('checks merged quantities: two lines of 3 need 6 units', () => {
    const plan = planReservation(
      [
        { sku: 'A', quantity: 3 },
        { sku: 'A', quantity: 3 },
      ],
      stock(['A', 5]),
    );
    expect(plan).toMatchObject({ kind: 'failed', reason: 'out_of_stock' });
  });

  it('reports unknown SKUs before stock', () => {
    const plan = planReservation(
      [
        { sku: 'A', quantity: 100 },
        { sku: 'X', quantity: 1 },
      ],
      stock(['A', 1]),
    );
    expect(plan).toEqual({ kind: 'failed', reason: 'unknown_sku', skus: ['X'] });
  });

  it('takes the last units exactly', () => {
    expect(planReservation([{ sku: 'A', quantity: 10 }], stock(['A', 10, 0]))).toMatchObject({ kind: 'reserved', lowStock: [{ sku: 'A', available: 0, threshold: 0 }] });
  });

  it('reports stock-low only when the reservation crosses the threshold', () => {
    expect(planReservation([{ sku: 'A', quantity: 2 }], stock(['A', 7, 5]))).toMatchObject({ lowStock: [{ sku: 'A', available: 5, threshold: 5 }] });
    expect(planReservation([{ sku: 'A', quantity: 1 }], stock(['A', 5, 5]))).toMatchObject({ lowStock: [] });
    expect(planReservation([{ sku: 'A', quantity: 1 }], stock(['A', 9, 5]))).toMatchObject({ lowStock: [] });
  });
});

describe('unitsOf', () => {
  it('adds up the quantities of every line', () => {
    expect(unitsOf([{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 3 }])).toBe(5);
    expect(unitsOf([])).toBe(0);
  });
});

describe('confirmWithoutReservation', () => {
  it('is done for a reservation already committed (a redelivery)', () => {
    expect(confirmWithoutReservation('o-1', 'committed')).toEqual({ kind: 'done' });
  });

  it('refuses any other state, naming it', () => {
    expect(confirmWithoutReservation('o-1', undefined)).toEqual({ kind: 'refused', reason: 'order o-1 was confirmed but its reservation is missing' });
    for (const status of ['failed', 'released', 'cancelled'] as const) {
      expect(confirmWithoutReservation('o-1', status)).toEqual({ kind: 'refused', reason: `order o-1 was confirmed but its reservation is ${status}` });
    }
  });
});
