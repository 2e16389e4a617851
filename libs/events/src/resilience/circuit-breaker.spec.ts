import { describe, expect, it } from 'vitest';
import { CircuitOpenError, PermanentError, RetryableError } from '../errors.js';
import { CircuitBreaker, CircuitState } from './circuit-breaker.js';

function setup(threshold = 3, openMs = 1000) {
  let clock = 0;
  const changes: string[] = [];
  const breaker = new CircuitBreaker({
    name: 'gateway',
    failureThreshold: threshold,
    openMs,
    now: () => clock,
    onStateChange: (state, previous) => changes.push(`${previous}->${state}`),
  });
  return { breaker, changes, advance: (ms: number) => (clock += ms) };
}

const fail = () => Promise.reject(new RetryableError('gateway unavailable'));
const ok = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive retryable failures and then fails fast without calling', async () => {
    const { breaker, changes } = setup(3);
    for (let i = 0; i < 3; i++) await expect(breaker.execute(fail)).rejects.toBeInstanceOf(RetryableError);
    expect(breaker.state).toBe(CircuitState.Open);
    let called = false;
    await expect(
      breaker.execute(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    expect(changes).toEqual(['closed->open']);
  });

  it('counts only consecutive failures: a success in between resets the count', async () => {
    const { breaker } = setup(3);
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('does not count permanent errors as the dependency failing', async () => {
    const { breaker } = setup(2);
    for (let i = 0; i < 5; i++) await expect(breaker.execute(() => Promise.reject(new PermanentError('card declined')))).rejects.toThrow();
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('lets one trial through after openMs: success closes, failure re-opens for another openMs', async () => {
    const { breaker, changes, advance } = setup(1, 1000);
    await expect(breaker.execute(fail)).rejects.toThrow();
    advance(999);
    expect(breaker.state).toBe(CircuitState.Open);
    expect(breaker.remainingOpenMs).toBe(1);
    advance(1);
    expect(breaker.state).toBe(CircuitState.HalfOpen);
    await expect(breaker.execute(fail)).rejects.toBeInstanceOf(RetryableError);
    expect(breaker.state).toBe(CircuitState.Open);
    advance(1000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe(CircuitState.Closed);
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->open', 'open->half_open', 'half_open->closed']);
  });

  it('refuses other calls while the half-open trial is in flight', async () => {
    const { breaker, advance } = setup(1, 10);
    await expect(breaker.execute(fail)).rejects.toThrow();
    advance(10);
    let release!: () => void;
    const trial = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('done');
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new CircuitBreaker({ name: 'x', failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ name: 'x', openMs: 0 })).toThrow(RangeError);
  });
});
