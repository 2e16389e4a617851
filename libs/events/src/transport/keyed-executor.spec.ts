import { describe, expect, it } from 'vitest';
import { KeyedExecutor } from './keyed-executor.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedExecutor', () => {
  it('runs tasks of one key one after another, in submission order', async () => {
    const executor = new KeyedExecutor(8);
    const order: string[] = [];
    const gate = deferred();
    await executor.submit('a', async () => {
      await gate.promise;
      order.push('a1');
    });
    await executor.submit('a', async () => {
      order.push('a2');
    });
    expect(order).toEqual([]);
    gate.resolve();
    await executor.onIdle();
    expect(order).toEqual(['a1', 'a2']);
  });

  it('runs different keys concurrently', async () => {
    const executor = new KeyedExecutor(8);
    const gate = deferred();
    const started: string[] = [];
    await executor.submit('a', async () => {
      started.push('a');
      await gate.promise;
    });
    await executor.submit('b', async () => {
      started.push('b');
    });
    await executor.submit('c', async () => {
      started.push('c');
    });
    // b and c finish while a is still blocked
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c']);
    expect(executor.inFlight).toBe(1);
    gate.resolve();
    await executor.onIdle();
    expect(executor.inFlight).toBe(0);
  });

  it('makes submit wait while every slot is busy (backpressure)', async () => {
    const executor = new KeyedExecutor(2);
    const gates = [deferred(), deferred()];
    await executor.submit('a', () => gates[0]!.promise);
    await executor.submit('b', () => gates[1]!.promise);
    let accepted = false;
    const third = executor.submit('c', async () => undefined).then(() => (accepted = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(accepted).toBe(false);
    expect(executor.inFlight).toBe(2);
    gates[0]!.resolve();
    await third;
    expect(accepted).toBe(true);
    gates[1]!.resolve();
    await executor.onIdle();
  });

  it('keeps running a key after one of its tasks throws', async () => {
    const executor = new KeyedExecutor(1);
    const ran: number[] = [];
    await executor.submit('k', async () => {
      ran.push(1);
      throw new Error('boom');
    });
    await executor.submit('k', async () => {
      ran.push(2);
    });
    await executor.onIdle();
    expect(ran).toEqual([1, 2]);
  });

  it('rejects a non-positive concurrency', () => {
    expect(() => new KeyedExecutor(0)).toThrow(RangeError);
  });
});
