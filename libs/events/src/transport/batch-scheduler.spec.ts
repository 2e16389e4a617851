import { describe, expect, it } from 'vitest';
import { BatchScheduler, Semaphore } from './batch-scheduler.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface Item {
  readonly key: string;
  readonly n: number;
}

function scheduler(options: { concurrency: number; batchSize: number; lane?: Semaphore }, run: (batch: Item[]) => Promise<void>) {
  return new BatchScheduler<Item>({ ...options, keyOf: (item) => item.key, run });
}

describe('BatchScheduler', () => {
  it('starts a lone item at once, without waiting for a batch to fill', async () => {
    const started = deferred();
    const batches: number[][] = [];
    const s = scheduler({ concurrency: 1, batchSize: 50 }, async (batch) => {
      batches.push(batch.map((i) => i.n));
      started.resolve();
    });
    await s.submit({ key: 'a', n: 1 });
    await started.promise;
    expect(batches).toEqual([[1]]);
  });

  it('puts the items that are ready together into one batch, up to the batch size', async () => {
    const batches: number[][] = [];
    const s = scheduler({ concurrency: 1, batchSize: 4 }, async (batch) => void batches.push(batch.map((i) => i.n)));
    for (let n = 0; n < 6; n++) await s.submit({ key: `k${n}`, n });
    await s.onIdle();
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
  });

  it('keeps one key in one running batch at a time, in arrival order', async () => {
    const gate = deferred();
    const batches: number[][] = [];
    const s = scheduler({ concurrency: 4, batchSize: 10 }, async (batch) => {
      batches.push(batch.map((i) => i.n));
      if (batch.some((i) => i.n === 1)) await gate.promise;
    });
    await s.submit({ key: 'a', n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // a's next items wait for the running batch; b may run meanwhile
    await s.submit({ key: 'a', n: 2 });
    await s.submit({ key: 'b', n: 3 });
    await s.submit({ key: 'a', n: 4 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([[1], [3]]);
    gate.resolve();
    await s.onIdle();
    expect(batches).toEqual([[1], [3], [2, 4]]);
  });

  it('runs batches of different keys concurrently up to the concurrency, and no more than the lane allows', async () => {
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const lane = new Semaphore(2);
    const s = scheduler({ concurrency: 3, batchSize: 1, lane }, async (batch) => {
      running++;
      peak = Math.max(peak, running);
      await gates[batch[0]!.n]!.promise;
      running--;
    });
    for (let n = 0; n < 3; n++) await s.submit({ key: `k${n}`, n });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(running).toBe(2);
    for (const gate of gates) gate.resolve();
    await s.onIdle();
    expect(peak).toBe(2);
  });

  it('makes submit wait while concurrency × batchSize items are unfinished (backpressure)', async () => {
    const gate = deferred();
    const s = scheduler({ concurrency: 1, batchSize: 2 }, () => gate.promise);
    await s.submit({ key: 'a', n: 1 });
    await s.submit({ key: 'b', n: 2 });
    let accepted = false;
    const third = Promise.resolve(s.submit({ key: 'c', n: 3 })).then(() => (accepted = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(accepted).toBe(false);
    expect(s.inFlight).toBe(2);
    gate.resolve();
    await third;
    expect(accepted).toBe(true);
  });

  it('gives back the items no batch has taken yet', async () => {
    const gate = deferred();
    const s = scheduler({ concurrency: 1, batchSize: 2 }, () => gate.promise);
    await s.submit({ key: 'a', n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.submit({ key: 'b', n: 2 });
    expect(s.takeQueued().map((i) => i.n)).toEqual([2]);
    gate.resolve();
    await s.onIdle();
    expect(s.inFlight).toBe(0);
  });

  it('rejects a non-positive concurrency or batch size', () => {
    expect(() => scheduler({ concurrency: 0, batchSize: 1 }, async () => undefined)).toThrow(RangeError);
    expect(() => scheduler({ concurrency: 1, batchSize: 0 }, async () => undefined)).toThrow(RangeError);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
