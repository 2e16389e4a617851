/**
 * Runs tasks with bounded concurrency, serially per key and concurrently across keys: the
 * consumer's rule "aggregates in parallel, one aggregate in order". `submit` resolves once the
 * task is accepted, so a caller that awaits it stops pulling new work while all slots are busy.
 */
export class KeyedExecutor {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly slotWaiters: Array<() => void> = [];
  private active = 0;

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  /** Tasks accepted and not finished (running or queued behind their key). */
  get inFlight(): number {
    return this.active;
  }

  /** Wait for a free slot, then schedule `task` after the previous task of `key`. Task errors are the task's to handle. */
  async submit(key: string, task: () => Promise<void>): Promise<void> {
    while (this.active >= this.concurrency) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.active++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).catch(() => undefined);
    this.tails.set(key, run);
    void run.then(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
      this.active--;
      this.slotWaiters.shift()?.();
      if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  /** Resolves when every accepted task has finished. */
  onIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
