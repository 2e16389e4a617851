/**
 * A counting semaphore: how many batch transactions of one service may run at once, shared by
 * its consumers (see ServerJetStream `transactionConcurrency`).
 */
export class Semaphore {
  private readonly waiters: Array<() => void> = [];
  private available: number;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('semaphore size must be a positive integer');
    this.available = size;
  }

  /** Resolves with a release function once a permit is free. */
  async acquire(): Promise<() => void> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }
}

export interface BatchSchedulerOptions<T> {
  /** Batches running at once (each serial inside). */
  readonly concurrency: number;
  /** Items per batch at most. */
  readonly batchSize: number;
  /** A permit to hold while a batch runs, shared with other schedulers; none by default. */
  readonly lane?: Semaphore;
  /** The key that serialises items (one aggregate): a key is in at most one running batch. */
  readonly keyOf: (item: T) => string;
  /** Handle one batch; its errors are its own to handle (a rejection is swallowed). */
  readonly run: (batch: T[]) => Promise<void>;
}

/**
 * Groups the items that are ready into batches: "aggregates in parallel, one aggregate in order",
 * a batch at a time per free slot. A batch is formed when its slot (and lane permit) is in hand,
 * from every ready item whose key is not in a running batch, up to `batchSize`, in arrival order
 * — so batches grow under load while a lone item starts at once, never waiting to fill a batch.
 * Items of one key keep their arrival order across batches: while a key runs, its later items
 * wait. `submit` resolves once the item is accepted; it waits while `concurrency × batchSize`
 * items are accepted and unfinished, which stops the caller from pulling more (backpressure).
 */
export class BatchScheduler<T> {
  private queue: T[] = [];
  private readonly busyKeys = new Set<string>();
  private readonly capacityWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private workers = 0;
  /** Workers that have not taken their batch yet (waiting for the lane or the next turn). */
  private forming = 0;
  private accepted = 0;
  private readonly capacity: number;

  constructor(private readonly options: BatchSchedulerOptions<T>) {
    const { concurrency, batchSize } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.capacity = concurrency * batchSize;
  }

  /** Items accepted and not finished (queued or in a running batch). */
  get inFlight(): number {
    return this.accepted;
  }

  /** Wait for room, then queue `item` for the next batch that may take it. */
  async submit(item: T): Promise<void> {
    while (this.accepted >= this.capacity) await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    this.accepted++;
    this.queue.push(item);
    this.pump();
  }

  /** Remove and return the items not taken by a batch yet (to give them back on stop). */
  takeQueued(): T[] {
    const queued = this.queue;
    this.queue = [];
    this.finished(queued.length);
    return queued;
  }

  /** Resolves when every accepted item has finished. */
  onIdle(): Promise<void> {
    if (this.accepted === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    // A forming worker will take up to batchSize ready items; start another only for the excess.
    while (this.workers < this.options.concurrency && this.queue.length > this.forming * this.options.batchSize && this.hasReadyItem()) {
      this.workers++;
      this.forming++;
      void this.work();
    }
  }

  private hasReadyItem(): boolean {
    if (this.busyKeys.size === 0) return this.queue.length > 0;
    return this.queue.some((item) => !this.busyKeys.has(this.options.keyOf(item)));
  }

  private async work(): Promise<void> {
    let release: (() => void) | undefined;
    let batch: T[] = [];
    try {
      release = await this.options.lane?.acquire();
      // One turn of the event loop: the messages of a pull that arrive together join one batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.forming--;
      batch = this.take();
      if (batch.length > 0) await this.options.run(batch).catch(() => undefined);
    } finally {
      release?.();
      for (const item of batch) this.busyKeys.delete(this.options.keyOf(item));
      this.workers--;
      this.finished(batch.length);
      this.pump();
    }
  }

  private take(): T[] {
    const { batchSize, keyOf } = this.options;
    const batch: T[] = [];
    const rest: T[] = [];
    const blocked = new Set<string>();
    const taken = new Set<string>();
    for (const item of this.queue) {
      const key = keyOf(item);
      if (batch.length < batchSize && !blocked.has(key) && (taken.has(key) || !this.busyKeys.has(key))) {
        batch.push(item);
        taken.add(key);
      } else {
        // A key left behind keeps its later items behind too (arrival order per key).
        blocked.add(key);
        rest.push(item);
      }
    }
    for (const key of taken) this.busyKeys.add(key);
    this.queue = rest;
    return batch;
  }

  private finished(count: number): void {
    if (count === 0) return;
    this.accepted -= count;
    while (this.accepted < this.capacity && this.capacityWaiters.length > 0) this.capacityWaiters.shift()!();
    if (this.accepted === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
