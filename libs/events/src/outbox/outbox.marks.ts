/**
 * Published outbox row ids waiting for their mark (`published_at`). One write at a time; the ids
 * that queue meanwhile are merged into the next write, so a relay whose marks are slower than
 * its publishes issues fewer, larger UPDATEs instead of stalling on each one. After a failed
 * write nothing more is written: the rows stay pending and are published again (de-duplicated
 * by `Nats-Msg-Id`), and the owner learns of the failure from {@link waitBelow}.
 */
export class MarkQueue {
  private queued: number[] = [];
  private writing = 0;
  private running?: Promise<void>;
  private failure?: { error: unknown };

  constructor(
    private readonly write: (ids: number[]) => Promise<void>,
    /** Most ids in one write. */
    private readonly maxIdsPerWrite: number,
  ) {}

  /** Ids queued or being written. */
  get size(): number {
    return this.queued.length + this.writing;
  }

  add(ids: readonly number[]): void {
    if (this.failure || ids.length === 0) return;
    for (const id of ids) this.queued.push(id);
    this.pump();
  }

  /** Resolves once at most `limit` ids are unwritten (0: all written); rejects with the first failed write. */
  async waitBelow(limit: number): Promise<void> {
    while (!this.failure && this.size > limit && this.running) await this.running;
    if (this.failure) throw this.failure.error;
  }

  /** Every queued id written; rejects with the first failed write. */
  settle(): Promise<void> {
    return this.waitBelow(0);
  }

  private pump(): void {
    if (this.running || this.failure || this.queued.length === 0) return;
    const ids = this.queued.length <= this.maxIdsPerWrite ? this.queued : this.queued.slice(0, this.maxIdsPerWrite);
    this.queued = ids === this.queued ? [] : this.queued.slice(ids.length);
    this.writing = ids.length;
    this.running = this.write(ids).then(
      () => {
        this.writing = 0;
        this.running = undefined;
        this.pump();
      },
      (error: unknown) => {
        this.failure = { error };
        this.writing = 0;
        this.queued = [];
        this.running = undefined;
      },
    );
  }
}

/**
 * `[first, last]` when `ids` are exactly the integers first…last (in any order, each once), so that
 * `id BETWEEN first AND last` touches no other row; otherwise undefined. Ids are unique keys, so a
 * row inside the range that is not in `ids` (a gap, an in-flight fast-path row, a row committed
 * after the read) makes the count fall short of the span, and the caller marks by the id list.
 */
export function contiguousRange(ids: readonly number[]): [number, number] | undefined {
  const n = ids.length;
  if (n === 0) return undefined;
  let ascending = true;
  for (let i = 1; i < n && ascending; i++) ascending = ids[i]! > ids[i - 1]!;
  const sorted = ascending ? ids : [...ids].sort((a, b) => a - b);
  for (let i = 1; i < n; i++) if (sorted[i]! !== sorted[i - 1]! + 1) return undefined;
  return [sorted[0]!, sorted[n - 1]!];
}
