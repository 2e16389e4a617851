import { describe, expect, it } from 'vitest';
import { earnsPoints, pointsForOrder } from './points.js';

describe('pointsForOrder', () => {
  it.each([
    [0, 0],
    [1, 0],
    [99, 0],
    [100, 1],
    [101, 1],
    [1999, 19],
    [2000, 20],
    [123_456_789, 1_234_567],
  ])('awards floor(%i / 100) = %i points', (totalCents, points) => {
    expect(pointsForOrder(totalCents)).toBe(points);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('refuses %s cents', (totalCents) => {
    expect(() => pointsForOrder(totalCents)).toThrow(RangeError);
  });
});

describe('earnsPoints', () => {
  it('is false for 0 points and true from 1 point', () => {
    expect(earnsPoints(0)).toBe(false);
    expect(earnsPoints(1)).toBe(true);
    expect(earnsPoints(42)).toBe(true);
  });
});
