/** Minor units per loyalty point: one point per whole currency unit (100 cents). */
export const CENTS_PER_POINT = 100;

/**
 * Points earned by an order of `totalCents`: one per whole currency unit, rounded down
 * (`floor(totalCents / 100)`), so 1999 cents earn 19 points and 99 cents earn none.
 *
 * @throws RangeError when `totalCents` is not a non-negative safe integer (the contract forbids it).
 */
export function pointsForOrder(totalCents: number): number {
  if (!Number.isSafeInteger(totalCents) || totalCents < 0) {
    throw new RangeError(`totalCents must be a non-negative integer (got ${totalCents})`);
  }
  return Math.floor(totalCents / CENTS_PER_POINT);
}

/** True when an order earns an award at all (the points-awarded contract needs points ≥ 1). */
export function earnsPoints(points: number): boolean {
  return points >= 1;
}
