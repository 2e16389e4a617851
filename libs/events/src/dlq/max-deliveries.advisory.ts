import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import type { EventsMetrics } from '../metrics/events.metrics.js';
import { DeadLetterReason, type DeadLetterPublisher } from './dead-letter.js';

export interface MaxDeliveriesAdvisoryOptions {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly consumers: ReadonlyArray<{ readonly stream: string; readonly durable: string }>;
  readonly deadLetters: DeadLetterPublisher;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
}

interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/** Subject of the advisory JetStream emits when a consumer stops redelivering a message. */
export function maxDeliveriesAdvisorySubject(stream: string, durable: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`;
}

/**
 * Second line of defence for poison messages: when JetStream gives up on a message after
 * `max_deliver` (the process died on every attempt before it could dead-letter it itself), the
 * advisory names its stream sequence; the message is read back from the stream and
 * dead-lettered. Replicas share a queue group, so one of them handles each advisory; the DLQ
 * message id makes a repeat harmless.
 */
export class MaxDeliveriesAdvisoryListener {
  private readonly subscriptions: Subscription[] = [];
  private readonly logger: EventsLogger;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: MaxDeliveriesAdvisoryOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    for (const { stream, durable } of this.options.consumers) {
      const subscription = this.options.nc.subscribe(maxDeliveriesAdvisorySubject(stream, durable), {
        queue: `${durable}-advisories`,
        callback: (error, message) => {
          if (error) return;
          const task = this.handle(message.json<MaxDeliveriesAdvisory>()).finally(() => this.pending.delete(task));
          this.pending.add(task);
        },
      });
      this.subscriptions.push(subscription);
    }
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    await Promise.allSettled([...this.pending]);
  }

  private async handle(advisory: MaxDeliveriesAdvisory): Promise<void> {
    const fields = { stream: advisory.stream, consumer: advisory.consumer, streamSequence: advisory.stream_seq };
    try {
      const stored = await this.options.jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq });
      if (!stored) {
        this.logger.warn(fields, 'max-deliveries advisory for a message no longer in the stream');
        return;
      }
      const headers: Record<string, string> = {};
      if (stored.header) for (const key of stored.header.keys()) headers[key] = stored.header.get(key);
      await this.options.deadLetters.deadLetter(
        {
          subject: stored.subject,
          data: stored.data,
          headers,
          stream: advisory.stream,
          streamSequence: advisory.stream_seq,
          deliveryCount: advisory.deliveries,
        },
        { consumer: advisory.consumer, reason: DeadLetterReason.MaxDeliveries },
      );
      this.options.metrics?.deadLettered.inc({ consumer: advisory.consumer, reason: DeadLetterReason.MaxDeliveries });
      this.logger.error(fields, 'message dead-lettered from the max-deliveries advisory');
    } catch (error) {
      this.logger.error({ ...fields, ...errorFields(error) }, 'could not dead-letter from the max-deliveries advisory');
    }
  }
}
