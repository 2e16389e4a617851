import type { DeadLetterPublisher, DeadLetterReason } from '../../dlq/dead-letter.js';
import { ConsumeOutcome } from '../../metrics/events.metrics.js';
import { withHop } from '../../tracing/trace-context.js';
import { backoffDelay, delay, type BackoffOptions } from '../../util/backoff.js';
import { errorFields, type EventsLogger } from '../../util/logger.js';
import { keepAlive } from './keep-alive.js';
import type { RetryPolicy } from './retry.js';
import type { Decision, InboundMessage, PreparedMessage } from './types.js';

export interface DeadLetteringOptions {
  readonly consumer: string;
  readonly publisher: DeadLetterPublisher;
  /** Says which delivery is the final one, and the nak delay of a copy that failed before it. */
  readonly retry: RetryPolicy;
  /** Backoff between copies of a message on its final delivery. */
  readonly backoff: BackoffOptions;
  /** The consumer's ack wait: a message on its final delivery is kept alive while its copy is retried. */
  readonly ackWaitMs: number;
  readonly logger: EventsLogger;
  /** Aborted when the consumer stops: a copy is no longer retried. */
  readonly stopped: AbortSignal;
}

/**
 * Copies a message to the DLQ with its reason and decides its termination. When the copy fails
 * the message is kept for a redelivery — except on its final delivery (beyond the handler's
 * attempts: JetStream delivers it no more), where the copy is tried again here, with backoff and
 * the message kept alive, until it is made or the consumer stops: a message never ends without a
 * dead-letter record.
 */
export class DeadLettering {
  constructor(private readonly options: DeadLetteringOptions) {}

  async send(item: PreparedMessage, reason: DeadLetterReason, error: unknown): Promise<Decision> {
    const { consumer, retry, logger, stopped } = this.options;
    const { message, event } = item;
    const info = message.info;
    const fields = { consumer, reason, type: event?.type, eventId: event?.id, streamSequence: info.streamSequence, deliveryCount: info.deliveryCount };
    const failed = { subject: message.subject, data: message.data, headers: headersOf(message), stream: info.stream, streamSequence: info.streamSequence, deliveryCount: info.deliveryCount };
    let stopKeepAlive: (() => void) | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.publisher.deadLetter(failed, { consumer, reason, error });
          break;
        } catch (publishError) {
          const finalDelivery = retry.isBeyondAttempts(info.deliveryCount);
          if (!finalDelivery || stopped.aborted) {
            withHop(item.hop, () => logger.error({ ...fields, ...errorFields(publishError) }, 'dead-lettering failed, message kept for redelivery'));
            return { outcome: ConsumeOutcome.Retry, settle: { nakMs: finalDelivery ? 0 : retry.retryDelay(info.deliveryCount) } };
          }
          const wait = backoffDelay(attempt, this.options.backoff);
          withHop(item.hop, () => logger.error({ ...fields, ...errorFields(publishError), attempt, retryInMs: wait }, 'dead-lettering failed on the final delivery, retrying'));
          stopKeepAlive ??= keepAlive([item], this.options.ackWaitMs);
          await delay(wait, stopped);
        }
      }
    } finally {
      stopKeepAlive?.();
    }
    withHop(item.hop, () => logger.error({ ...fields, ...errorFields(error) }, 'event dead-lettered'));
    return { outcome: ConsumeOutcome.DeadLetter, settle: 'term', deadLetter: reason };
  }
}

function headersOf(message: InboundMessage): Record<string, string> {
  const result: Record<string, string> = {};
  const headers = message.headers;
  if (!headers) return result;
  for (const key of headers.keys()) result[key] = headers.get(key);
  return result;
}
