import { describe, expect, it } from 'vitest';
import { contiguousRange, MarkQueue } from './outbox.marks.js';

describe('contiguousRange', () => {
  it('is the first and last id when the ids are every integer between them, in any order', () => {
    expect(contiguousRange([7])).toEqual([7, 7]);
    expect(contiguousRange([3, 4, 5, 6])).toEqual([3, 6]);
    expect(contiguousRange([6, 4, 3, 5])).toEqual([3, 6]);
  });

  it('is undefined for a gap, a duplicate or no ids', () => {
    expect(contiguousRange([])).toBeUndefined();
    expect(contiguousRange([3, 4, 6])).toBeUndefined();
    expect(contiguousRange([3, 4, 4, 5])).toBeUndefined(); // a duplicate: three distinct ids over a span of three
    expect(contiguousRange([5, 3, 4, 3])).toBeUndefined();
  });
});

describe('MarkQueue', () => {
  const deferred = () => {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('writes one batch at a time and merges the ids queued meanwhile into the next write', async () => {
    const writes: number[][] = [];
    const pending: Array<ReturnType<typeof deferred>> = [];
    const queue = new MarkQueue((ids) => {
      writes.push([...ids]);
      const d = deferred();
      pending.push(d);
      return d.promise;
    }, 100);
    queue.add([1, 2]);
    queue.add([3]);
    queue.add([4, 5]);
    expect(writes).toEqual([[1, 2]]);
    expect(queue.size).toBe(5);
    pending[0]!.resolve();
    await queue.waitBelow(3);
    expect(writes).toEqual([[1, 2], [3, 4, 5]]);
    pending[1]!.resolve();
    await queue.settle();
    expect(queue.size).toBe(0);
  });

  it('caps the ids of one write', async () => {
    const writes: number[][] = [];
    const queue = new MarkQueue(async (ids) => void writes.push([...ids]), 2);
    queue.add([1]);
    queue.add([2, 3, 4, 5, 6]);
    await queue.settle();
    expect(writes).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it('stops writing after a failed write and rejects its waiters with that error', async () => {
    const writes: number[][] = [];
    const queue = new MarkQueue(async (ids) => {
      writes.push([...ids]);
      if (ids.includes(2)) throw new Error('connection lost');
    }, 10);
    queue.add([1]);
    queue.add([2]);
    queue.add([3]);
    await expect(queue.settle()).rejects.toThrow('connection lost');
    queue.add([4]);
    await expect(queue.waitBelow(100)).rejects.toThrow('connection lost');
    expect(writes).toEqual([[1], [2, 3]]);
  });
});
