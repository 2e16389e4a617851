/** Exponential backoff with "equal jitter". */
export interface BackoffOptions {
  /** Delay before the first retry, milliseconds. */
  readonly initialMs: number;
  /** Cap, milliseconds. */
  readonly maxMs: number;
  /** Growth factor per attempt. Default 2. */
  readonly factor?: number;
}

/**
 * Delay before retry number `attempt` (1-based): half of `initial·factor^(attempt-1)` (capped)
 * plus a random share of the other half. Below the cap the lower bound of attempt n+1 equals the
 * upper bound of attempt n, so successive delays grow while replicas spread out; at the cap a
 * delay lies between half and all of the cap.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const exponential = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt - 1));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
