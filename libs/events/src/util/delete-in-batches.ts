/**
 * Run `deleteBatch(limit)` (one DELETE of at most `limit` rows, returning how many it deleted)
 * again and again until a batch deletes fewer than `limit` or `stop()` turns true; returns the
 * total. Each batch is its own statement, so a retention sweep never holds many row locks at
 * once nor runs into the statement timeout however much it has to delete.
 */
export async function deleteInBatches(limit: number, deleteBatch: (limit: number) => Promise<number>, stop: () => boolean = () => false): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(limit);
    total += deleted;
    if (deleted < limit || stop()) return total;
  }
}
