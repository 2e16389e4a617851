import type { JsMsg } from '@nats-io/jetstream';
import type { DeadLetterReason } from '../../dlq/dead-letter.js';
import type { EventEnvelope } from '../../envelope/envelope.js';
import type { ConsumeOutcome } from '../../metrics/events.metrics.js';
import type { Hop } from '../../tracing/trace-context.js';
import type { BatchEventContext, DeliveryMetadata, EventContext } from '../event-context.js';

// The shapes the stages of the consume path pass to one another. message-processor.ts exports
// them to the rest of the library; they live here so that no stage imports the composer.

/** A handler of one versioned event type. Throw a RetryableError/PermanentError to choose the path. */
export type EventHandler = (event: EventEnvelope, context: EventContext) => Promise<void>;

/**
 * A handler of several events of its types at once, in one statement or a few (a projection).
 * It applies all of them or throws; after a throw each event is handled again alone, so that the
 * failure is one event's.
 */
export type BatchEventHandler = (events: readonly EventEnvelope[], context: BatchEventContext) => Promise<void>;

/** The registry surface the consumer needs. */
export interface ConsumerEventRegistry {
  has(type: string): boolean;
  /** Validates `data` against the contract of `type`; throws InvalidEventError. */
  validate(type: string, data: unknown): unknown;
  /** Upcasts an envelope to a later version of the same event; throws when there is no path. */
  upcast(envelope: EventEnvelope, targetType: string): EventEnvelope;
  /** The subject an event of `type` for `tenant` must arrive on; throws for an unknown type. */
  subjectOf(type: string, tenant: string): string;
}

/** The subset of a JetStream message the processor uses (a fake implements it in unit tests). */
export type InboundMessage = Pick<JsMsg, 'subject' | 'data' | 'info' | 'ack' | 'nak' | 'term'> &
  Partial<Pick<JsMsg, 'working'>> & {
    readonly headers?: { get(key: string): string; keys(): string[] } | undefined;
  };

/** Why a message is dead-lettered before any handler runs; a stage returns it instead of throwing. */
export class Rejection {
  constructor(
    readonly reason: DeadLetterReason,
    readonly error: unknown,
  ) {}
}

/** A message decoded, validated and routed, ready to run in a batch (or rejected before any handler). */
export interface PreparedMessage {
  readonly message: InboundMessage;
  readonly hop: Hop;
  /** The `event_type` label: the envelope's type when the registry knows it, else `unknown`. */
  readonly typeLabel: string;
  /** The key that serialises handling (`tenant/source/aggregate`, see sequencing.ts). */
  readonly orderingKey: string;
  /** Set when the message is dead-lettered before any handler runs. */
  readonly rejection?: { readonly reason: DeadLetterReason; readonly error: unknown };
  /** The envelope as handled: upcast to the handler's version. Absent only for a malformed one. */
  readonly event?: EventEnvelope;
  readonly handler?: EventHandler;
  readonly batchHandler?: BatchEventHandler;
  readonly delivery: DeliveryMetadata;
}

/** How one message ends: its outcome label and the settlement sent after the batch commits. */
export interface Decision {
  readonly outcome: ConsumeOutcome;
  readonly settle: 'ack' | 'term' | { readonly nakMs: number };
  /** Set when the message went to the DLQ. */
  readonly deadLetter?: DeadLetterReason;
  /** True when a handler ran and its work was committed (for the event-age histogram). */
  readonly applied?: boolean;
  /** True when an early event was applied on its final deferral because its aggregate had no sequence row (pruned). */
  readonly sequenceRowMissing?: boolean;
}
