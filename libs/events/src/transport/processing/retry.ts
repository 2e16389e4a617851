import { DeadLetterReason } from '../../dlq/dead-letter.js';
import { isRetryable } from '../../errors.js';
import { ConsumeOutcome } from '../../metrics/events.metrics.js';
import { withHop } from '../../tracing/trace-context.js';
import { backoffDelay, type BackoffOptions } from '../../util/backoff.js';
import { errorFields, type EventsLogger } from '../../util/logger.js';
import { Rejection, type Decision, type PreparedMessage } from './types.js';

export interface RetryOptions {
  readonly consumer: string;
  /** How many times the handler may run for one message (see MessageProcessorOptions.maxAttempts). */
  readonly maxAttempts: number;
  /** Delay before a retry (nak delay). */
  readonly backoff: BackoffOptions;
  /** The scale of an early event's hold-backs (see {@link deferralDelay}). */
  readonly deferDelayMs: number;
  readonly logger: EventsLogger;
}

/**
 * The attempts a message has: a handler failure is retried with backoff while attempts remain
 * and the error is retryable, an early event is held back until its final attempt. Past that
 * the caller dead-letters: this decides when, not how.
 */
export class RetryPolicy {
  constructor(private readonly options: RetryOptions) {}

  /**
   * Delivered more often than the handler may run: the process died on its last attempt, and the
   * handler is not run again. JetStream delivers such a message no more (`max_deliver` is one
   * above the attempts): its dead-letter copy must be made on this delivery.
   */
  isBeyondAttempts(deliveryCount: number): boolean {
    return deliveryCount > this.options.maxAttempts;
  }

  /** The `max_deliveries` rejection of a message {@link isBeyondAttempts}. */
  beyondAttempts(): Rejection {
    return new Rejection(DeadLetterReason.MaxDeliveries, undefined);
  }

  /** An early event delivered for the last time the handler may run: it is not held back again. */
  isFinalDeferral(deliveryCount: number): boolean {
    return deliveryCount >= this.options.maxAttempts;
  }

  /** The nak delay of a retry on the `deliveryCount`-th delivery. */
  retryDelay(deliveryCount: number): number {
    return backoffDelay(deliveryCount, this.options.backoff);
  }

  /**
   * The handler of `item` failed with `error`: a nak with backoff while attempts remain and the
   * error is retryable (logged), undefined when the message is to be dead-lettered (with
   * {@link deadLetterReasonOf} the error).
   */
  afterFailure(item: PreparedMessage, error: unknown): Decision | undefined {
    const deliveryCount = item.message.info.deliveryCount;
    if (!isRetryable(error) || deliveryCount >= this.options.maxAttempts) return undefined;
    const wait = this.retryDelay(deliveryCount);
    const event = item.event;
    withHop(item.hop, () =>
      this.options.logger.warn(
        { consumer: this.options.consumer, type: event?.type, eventId: event?.id, deliveryCount, correlationId: event?.correlationid, ...errorFields(error), retryInMs: wait },
        'event handler failed, will retry',
      ),
    );
    return { outcome: ConsumeOutcome.Retry, settle: { nakMs: wait } };
  }

  /** An early event (its predecessor not applied yet): held back, or undefined on its final deferral (dead-lettered as `sequence_gap`). */
  holdBack(item: PreparedMessage): Decision | undefined {
    const deliveryCount = item.message.info.deliveryCount;
    if (this.isFinalDeferral(deliveryCount)) return undefined;
    return { outcome: ConsumeOutcome.Deferred, settle: { nakMs: deferralDelay(this.options.deferDelayMs, deliveryCount, this.options.maxAttempts) } };
  }
}

/** Why a handler failure that is not retried is dead-lettered. */
export function deadLetterReasonOf(error: unknown): DeadLetterReason {
  return isRetryable(error) ? DeadLetterReason.RetriesExhausted : DeadLetterReason.PermanentError;
}

/** The first hold-back of an early event at most, milliseconds; each further short one doubles. */
export const FIRST_DEFERRAL_MAX_MS = 1_000;

/**
 * How long an early event is held back on its `deliveryCount`-th delivery, when the handler may
 * run `maxAttempts` times. Short at first (1 s, 2 s, …, never above `deferDelayMs`): its
 * predecessor is usually in flight, or was just handed back by a replica that stopped, and comes
 * at once. The last hold-back before the final attempt is long, 3 × `deferDelayMs` (1.5 ack waits
 * with ServerJetStream's half an ack wait): a predecessor held by a process that died is
 * redelivered only after the ack wait, and must be applied before the final attempt.
 */
export function deferralDelay(deferDelayMs: number, deliveryCount: number, maxAttempts: number): number {
  if (deliveryCount >= maxAttempts - 1) return deferDelayMs * 3;
  return Math.min(deferDelayMs, FIRST_DEFERRAL_MAX_MS * 2 ** Math.max(0, deliveryCount - 1));
}
