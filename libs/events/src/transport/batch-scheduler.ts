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
  /** Queued items per key, in arrival order; a key is here while it has queued items. */
  private readonly queues = new Map<string, T[]>();
  /** Keys with queued items and no running batch, in the order they became ready. */
  private ready: string[] = [];
  private readyHead = 0;
  private readonly busyKeys = new Set<string>();
  private readonly capacityWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private workers = 0;
  /** Workers that have not taken their batch yet (waiting for the lane or the next turn). */
  private forming = 0;
  private queued = 0;
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

  /**
   * Queue `item` for the next batch that may take it. Returns undefined when it was accepted at
   * once, else a promise that resolves once there was room (the caller stops pulling meanwhile).
   */
  submit(item: T): Promise<void> | undefined {
    if (this.accepted < this.capacity) {
      this.accept(item);
      return undefined;
    }
    return this.submitWhenRoom(item);
  }

  private async submitWhenRoom(item: T): Promise<void> {
    while (this.accepted >= this.capacity) await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    this.accept(item);
  }

  private accept(item: T): void {
    this.accepted++;
    this.queued++;
    const key = this.options.keyOf(item);
    const queue = this.queues.get(key);
    if (queue) queue.push(item);
    else {
      this.queues.set(key, [item]);
      if (!this.busyKeys.has(key)) this.ready.push(key);
    }
    this.pump();
  }

  /** Remove and return the items not taken by a batch yet (to give them back on stop). */
  takeQueued(): T[] {
    const queued = [...this.queues.values()].flat();
    this.queues.clear();
    this.ready = [];
    this.readyHead = 0;
    this.queued = 0;
    this.finished(queued.length);
    return queued;
  }

  /** Resolves when every accepted item has finished. */
  onIdle(): Promise<void> {
    if (this.accepted === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readyKeys(): number {
    return this.ready.length - this.readyHead;
  }

  private pump(): void {
    // A forming worker will take up to batchSize ready items; start another only for the excess.
    const { concurrency, batchSize } = this.options;
    while (this.workers < concurrency && this.readyKeys() > 0 && this.queued > this.forming * batchSize) {
      this.workers++;
      this.forming++;
      void this.work();
    }
  }

  private async work(): Promise<void> {
    let release: (() => void) | undefined;
    let batch: T[] = [];
    try {
      if (this.options.lane) release = await this.options.lane.acquire();
      // One turn of the event loop before taking: the messages of a pull that arrive together
      // join one batch. Not needed when a batch holds one item, or a full batch is waiting.
      if (this.options.batchSize > 1 && this.queued < this.options.batchSize) await new Promise<void>((resolve) => setImmediate(resolve));
      this.forming--;
      batch = this.take();
      if (batch.length > 0) await this.options.run(batch).catch(() => undefined);
    } finally {
      release?.();
      this.workers--;
      for (const key of this.takenKeys(batch)) {
        this.busyKeys.delete(key);
        if (this.queues.has(key)) this.ready.push(key);
      }
      this.finished(batch.length);
      this.pump();
    }
  }

  /** Whole keys in the order they became ready, up to batchSize items; a key cut short stays busy. */
  private take(): T[] {
    const { batchSize } = this.options;
    const batch: T[] = [];
    while (batch.length < batchSize && this.readyHead < this.ready.length) {
      const key = this.ready[this.readyHead++]!;
      const queue = this.queues.get(key);
      if (!queue) continue;
      this.busyKeys.add(key);
      const room = batchSize - batch.length;
      if (queue.length <= room) {
        this.queues.delete(key);
        for (const item of queue) batch.push(item);
      } else {
        for (const item of queue.splice(0, room)) batch.push(item);
      }
    }
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    this.queued -= batch.length;
    return batch;
  }

  private takenKeys(batch: readonly T[]): Set<string> {
    const keys = new Set<string>();
    for (const item of batch) keys.add(this.options.keyOf(item));
    return keys;
  }

  private finished(count: number): void {
    if (count === 0) return;
    this.accepted -= count;
    while (this.accepted < this.capacity && this.capacityWaiters.length > 0) this.capacityWaiters.shift()!();
    if (this.accepted === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
