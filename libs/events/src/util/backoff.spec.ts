import { describe, expect, it } from 'vitest';
import { backoffDelay, delay } from './backoff.js';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 10_000 };

  it('grows exponentially below the cap: every delay is at least the largest possible previous one', () => {
    // 100 · 2^6 = 6400 is the last step below the 10 000 ms cap
    for (let attempt = 1; attempt < 7; attempt++) {
      const maxOfThis = backoffDelay(attempt, options, () => 1);
      const minOfNext = backoffDelay(attempt + 1, options, () => 0);
      expect(minOfNext).toBeGreaterThanOrEqual(maxOfThis);
    }
  });

  it('jitters within [half, full] of the exponential step', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(3, options, () => 0.5)).toBe(300);
  });

  it('is capped', () => {
    expect(backoffDelay(30, options, () => 1)).toBe(10_000);
  });
});

describe('delay', () => {
  it('resolves at once when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = delay(60_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
