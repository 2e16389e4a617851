import { isInfrastructureFailure } from '../../storage/infrastructure-failure.js';
import { backoffDelay, delay, type BackoffOptions } from '../../util/backoff.js';
import { errorFields, type EventsLogger } from '../../util/logger.js';
import { keepAlive } from './keep-alive.js';
import type { InboundMessage } from './types.js';

export interface DatabasePauseOptions {
  readonly consumer: string;
  /** Backoff between attempts at a batch while the database is unavailable. */
  readonly backoff: BackoffOptions;
  /** The consumer's ack wait: the kept messages signal progress every third of it. */
  readonly ackWaitMs: number;
  readonly logger: EventsLogger;
  /** Aborted when the consumer stops: a kept batch is given back instead of tried again. */
  readonly stopped: AbortSignal;
}

/** What to do with a batch's attempt that did not succeed for another reason than the database. */
export interface PauseOutcomes<T> {
  /** The attempt failed for another reason (a deadlock, a bug). */
  failed(error: unknown): Promise<T>;
  /** The database is unavailable and the consumer stops: give the messages back. */
  stopped(): T;
}

/**
 * The pause on an unavailable database (`isInfrastructureFailure`): a batch is kept — its
 * messages signal `working()` so JetStream does not redeliver them, and no attempt of theirs is
 * spent — and tried again with backoff until the database answers. Nobody's event is at fault,
 * so nothing is retried through the messages' own attempts.
 */
export class DatabasePause {
  private waiting = 0;

  constructor(private readonly options: DatabasePauseOptions) {}

  /** True while a batch waits for the database to come back (readiness turns false meanwhile). */
  get isUnavailable(): boolean {
    return this.waiting > 0;
  }

  /**
   * Run `attempt` for the messages of `items` until it succeeds or fails for another reason than
   * the database being unavailable (then {@link PauseOutcomes.failed}, while the pause holds).
   */
  async run<T>(items: readonly { readonly message: InboundMessage }[], attempt: () => Promise<T>, outcomes: PauseOutcomes<T>): Promise<T> {
    const { consumer, logger, stopped } = this.options;
    let attempts = 0;
    let stopKeepAlive: (() => void) | undefined;
    try {
      for (;;) {
        try {
          return await attempt();
        } catch (error) {
          if (!isInfrastructureFailure(error)) return await outcomes.failed(error);
          // Stopping: give the messages back at once, without spending an attempt of theirs.
          if (stopped.aborted) return outcomes.stopped();
          attempts++;
          if (attempts === 1) {
            this.waiting++;
            stopKeepAlive = keepAlive(items, this.options.ackWaitMs);
          }
          const wait = backoffDelay(attempts, this.options.backoff);
          logger.warn({ consumer, messages: items.length, attempt: attempts, retryInMs: wait, ...errorFields(error) }, 'database unavailable: batch kept, retrying');
          await delay(wait, stopped);
        }
      }
    } finally {
      if (attempts > 0) {
        stopKeepAlive?.();
        this.waiting--;
        logger.info({ consumer, attempts }, 'database available again: batch handled');
      }
    }
  }
}
