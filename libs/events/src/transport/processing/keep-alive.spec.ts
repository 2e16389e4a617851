import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeMessage } from '../../testing/fake-message.js';
import { keepAlive } from './keep-alive.js';

describe('keepAlive', () => {
  afterEach(() => void vi.useRealTimers());

  it('signals progress on every message a third of the ack wait apart, until it is stopped', () => {
    vi.useFakeTimers();
    const items = [{ message: new FakeMessage('a', new Uint8Array()) }, { message: new FakeMessage('b', new Uint8Array()) }];
    const stop = keepAlive(items, 30_000);
    vi.advanceTimersByTime(9_999);
    expect(items.map((item) => item.message.workingCalls)).toEqual([0, 0]);
    vi.advanceTimersByTime(1);
    expect(items.map((item) => item.message.workingCalls)).toEqual([1, 1]);
    vi.advanceTimersByTime(20_000);
    expect(items.map((item) => item.message.workingCalls)).toEqual([3, 3]);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(items.map((item) => item.message.workingCalls)).toEqual([3, 3]);
  });

  it('signals at least every 100 ms, however short the ack wait', () => {
    vi.useFakeTimers();
    const item = { message: new FakeMessage('a', new Uint8Array()) };
    const stop = keepAlive([item], 30);
    vi.advanceTimersByTime(99);
    expect(item.message.workingCalls).toBe(0);
    vi.advanceTimersByTime(1);
    expect(item.message.workingCalls).toBe(1);
    stop();
  });
});
