import { CircuitOpenError, isRetryable } from '../errors.js';

/** States of a {@link CircuitBreaker}; the gauge value of each is its index in this order. */
export const CircuitState = {
  Closed: 'closed',
  Open: 'open',
  HalfOpen: 'half_open',
} as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

export interface CircuitBreakerOptions {
  /** Name in errors and logs, e.g. `payment-gateway`. */
  readonly name: string;
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through, milliseconds. Default 10 000. */
  readonly openMs?: number;
  /**
   * Which errors count as the dependency failing. Default: retryable errors (see `isRetryable`);
   * a permanent error (a declined card, a bad request) says nothing about the dependency's health.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** Called on every state change (after it happened). */
  readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A circuit breaker around one dependency. Closed: calls go through and consecutive failures are
 * counted; at `failureThreshold` it opens. Open: calls fail at once with `CircuitOpenError`
 * (retryable) for `openMs`. Then half-open: exactly one trial call goes through — success closes
 * the circuit, failure opens it for another `openMs`; other calls meanwhile fail fast.
 *
 * Combine it with `ServerJetStream.pauseConsumers()` in `onStateChange` to stop pulling messages
 * while the dependency is down, instead of burning their retries.
 */
export class CircuitBreaker {
  private current: CircuitState = CircuitState.Closed;
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 10_000;
    this.isFailure = options.isFailure ?? isRetryable;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.threshold) || this.threshold < 1) throw new RangeError('failureThreshold must be an integer ≥ 1');
    if (!(this.openMs > 0)) throw new RangeError('openMs must be > 0');
  }

  /** The state now; an open circuit whose `openMs` has passed reports half-open. */
  get state(): CircuitState {
    if (this.current === CircuitState.Open && this.now() - this.openedAt >= this.openMs) this.transition(CircuitState.HalfOpen);
    return this.current;
  }

  /** Milliseconds until an open circuit lets a trial call through (0 when not open). */
  get remainingOpenMs(): number {
    return this.state === CircuitState.Open ? Math.max(0, this.openMs - (this.now() - this.openedAt)) : 0;
  }

  /** Run `call` through the breaker; throws `CircuitOpenError` without calling it while open. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === CircuitState.Open || (state === CircuitState.HalfOpen && this.trialInFlight)) {
      throw new CircuitOpenError(`circuit ${this.options.name} is open; call not attempted`);
    }
    const trial = state === CircuitState.HalfOpen;
    if (trial) this.trialInFlight = true;
    try {
      const result = await call();
      this.onSuccess();
      return result;
    } catch (error) {
      if (this.isFailure(error)) this.onFailure(trial);
      else this.onSuccess();
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private onSuccess(): void {
    this.failures = 0;
    if (this.current !== CircuitState.Closed) this.transition(CircuitState.Closed);
  }

  private onFailure(trial: boolean): void {
    this.failures++;
    if (trial || (this.current === CircuitState.Closed && this.failures >= this.threshold)) {
      this.openedAt = this.now();
      this.transition(CircuitState.Open);
    }
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
