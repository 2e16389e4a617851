import type { JsMsg } from '@nats-io/jetstream';
import { parseEnvelope } from '../envelope/parse-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { InvalidEventError, isRetryable, MalformedEnvelopeError, PermanentError } from '../errors.js';
import { DeadLetterReason, REDRIVEN_FROM_HEADER, type DeadLetterPublisher } from '../dlq/dead-letter.js';
import { ConsumeOutcome, type EventsMetrics } from '../metrics/events.metrics.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Database, Transaction } from '../storage/database.js';
import { parseEventType } from '../subjects/subjects.js';
import { backoffDelay, type BackoffOptions } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import type { DeliveryMetadata, EmittedEvent, EventContext } from './event-context.js';
import { advanceSequence, claimAndSequence, OrderingMode, type AggregateKey } from './inbox.js';
import { activeTraceparent, SpanKind, startHop, withHop } from '../tracing/trace-context.js';

/** A handler of one versioned event type. Throw a RetryableError/PermanentError to choose the path. */
export type EventHandler = (event: EventEnvelope, context: EventContext) => Promise<void>;

/** The registry surface the consumer needs. */
export interface ConsumerEventRegistry {
  has(type: string): boolean;
  /** Validates `data` against the contract of `type`; throws InvalidEventError. */
  validate(type: string, data: unknown): unknown;
  /** Upcasts an envelope to a later version of the same event; throws when there is no path. */
  upcast(envelope: EventEnvelope, targetType: string): EventEnvelope;
}

/** The subset of a JetStream message the processor uses (a fake implements it in unit tests). */
export type InboundMessage = Pick<JsMsg, 'subject' | 'data' | 'info' | 'ack' | 'nak' | 'term'> & {
  readonly headers?: { get(key: string): string; keys(): string[] } | undefined;
};

export interface MessageProcessorOptions {
  /** The durable consumer's name: the inbox and metrics key. */
  readonly consumer: string;
  readonly registry: ConsumerEventRegistry;
  /** Handlers by versioned type. A message of an older version is upcast to the handler's version. */
  readonly handlers: ReadonlyMap<string, EventHandler>;
  readonly deadLetters: DeadLetterPublisher;
  /** Storage for the inbox, the sequence guard and the handler's transaction. */
  readonly db?: Database;
  /** The service's outbox, for events emitted by handlers (requires `db`). */
  readonly outbox?: Outbox;
  /** Default: `strict` with a database, `none` without. */
  readonly ordering?: OrderingMode;
  /**
   * How many times the handler may run for one message. JetStream's `max_deliver` should be one
   * more: a message delivered beyond this count crashed the process on its last attempt and is
   * dead-lettered without running the handler again. Default 4.
   */
  readonly maxAttempts?: number;
  /** Delay before a retry (nak delay). Default 1 s doubling to 60 s, with jitter. */
  readonly retryBackoff?: BackoffOptions;
  /**
   * Delay before an early event (predecessor missing) is redelivered, times the delivery count.
   * Its total over the attempts should outlast the consumer's ack wait, since a predecessor
   * delivered to a process that died comes back only after it (ServerJetStream uses ack wait / 2).
   * Default 200 ms.
   */
  readonly deferDelayMs?: number;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
}

class DeferSignal extends Error {}

const DEFAULT_RETRY_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };

/**
 * Decides the fate of one message: decode, validate, de-duplicate, order, run the handler in
 * one transaction with the inbox insert, then ack after commit; or retry with backoff, or
 * dead-letter with the reason. It never acks a message whose effects were not committed and
 * never drops one without a dead-letter record.
 */
export class MessageProcessor {
  private readonly maxAttempts: number;
  private readonly ordering: OrderingMode;
  private readonly retryBackoff: BackoffOptions;
  private readonly deferDelayMs: number;
  private readonly logger: EventsLogger;
  /** unversioned type → handler versions, ascending. */
  private readonly versionsByName = new Map<string, number[]>();

  constructor(private readonly options: MessageProcessorOptions) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.ordering = options.ordering ?? (options.db ? OrderingMode.Strict : OrderingMode.None);
    if (!options.db && this.ordering !== OrderingMode.None) {
      throw new TypeError(`consumer ${options.consumer}: ordering "${this.ordering}" needs a database`);
    }
    this.retryBackoff = options.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
    this.deferDelayMs = options.deferDelayMs ?? 200;
    this.logger = options.logger ?? silentLogger;
    for (const type of options.handlers.keys()) {
      const { unversioned, version } = parseEventType(type);
      const versions = this.versionsByName.get(unversioned) ?? [];
      versions.push(version);
      versions.sort((a, b) => a - b);
      this.versionsByName.set(unversioned, versions);
    }
  }

  get consumer(): string {
    return this.options.consumer;
  }

  /** Decode only: the key that serialises handling (`tenant/source/aggregate`), or a per-message key. */
  static orderingKey(message: InboundMessage, decoded: EventEnvelope | undefined): string {
    return decoded ? `${decoded.tenantid}/${decoded.source}/${decoded.subject}` : `seq:${message.info.streamSequence}`;
  }

  /** Parse the envelope; undefined when the payload is not one (the processor dead-letters it). */
  static tryDecode(message: InboundMessage): EventEnvelope | undefined {
    try {
      return parseEnvelope(message.data);
    } catch {
      return undefined;
    }
  }

  async process(message: InboundMessage, decoded = MessageProcessor.tryDecode(message)): Promise<ConsumeOutcome> {
    const metrics = this.options.metrics;
    const consumer = this.options.consumer;
    const eventTypeLabel = decoded && this.options.registry.has(decoded.type) ? decoded.type : 'unknown';
    // Each message is a hop of its event's trace: the handler, its log lines and the events it
    // emits carry the trace and correlation ids (see tracing/trace-context.ts).
    const hop = startHop(`${consumer} ${decoded?.type ?? 'message'}`, decoded?.traceparent, SpanKind.CONSUMER, decoded?.correlationid);
    try {
      const outcome = await withHop(hop, () => this.decide(message, decoded));
      metrics?.consumed.inc({ consumer, event_type: eventTypeLabel, outcome });
      if (outcome !== ConsumeOutcome.Retry && outcome !== ConsumeOutcome.DeadLetter) {
        withHop(hop, () => this.logger.debug({ consumer, type: decoded?.type, eventId: decoded?.id, subject: decoded?.subject, outcome }, 'event handled'));
      }
      return outcome;
    } finally {
      hop.span.end();
    }
  }

  private async decide(message: InboundMessage, decoded: EventEnvelope | undefined): Promise<ConsumeOutcome> {
    const deliveryCount = message.info.deliveryCount;
    if (deliveryCount > this.maxAttempts) {
      return this.deadLetter(message, DeadLetterReason.MaxDeliveries, decoded, undefined);
    }
    let envelope = decoded;
    if (!envelope) {
      try {
        envelope = parseEnvelope(message.data);
      } catch (error) {
        const malformed = error instanceof MalformedEnvelopeError ? error : new MalformedEnvelopeError(String(error), { cause: error });
        return this.deadLetter(message, DeadLetterReason.MalformedEnvelope, undefined, malformed);
      }
    }
    const { registry } = this.options;
    if (!registry.has(envelope.type)) {
      return this.deadLetter(message, DeadLetterReason.UnknownType, envelope, new PermanentError(`unknown event type "${envelope.type}"`));
    }
    const target = this.handlerTypeFor(envelope.type);
    if (target === null) {
      return this.handleTransactionally(message, envelope, undefined, ConsumeOutcome.Ignored);
    }
    if (target === undefined) {
      return this.deadLetter(
        message,
        DeadLetterReason.UnsupportedVersion,
        envelope,
        new PermanentError(`no handler for ${envelope.type} or a later version of it`),
      );
    }
    let handled: EventEnvelope;
    try {
      registry.validate(envelope.type, envelope.data);
      handled = target === envelope.type ? envelope : registry.upcast(envelope, target);
      if (handled !== envelope) registry.validate(handled.type, handled.data);
    } catch (error) {
      const reason = error instanceof InvalidEventError ? DeadLetterReason.InvalidPayload : DeadLetterReason.PermanentError;
      return this.deadLetter(message, reason, envelope, error);
    }
    return this.handleTransactionally(message, handled, this.options.handlers.get(target), ConsumeOutcome.Ack);
  }

  /**
   * The handler type for an incoming type: itself, or the lowest later version with a handler.
   * `null` when no version of the event is handled here (ignored), `undefined` when only older
   * versions are (the producer is ahead of this consumer: dead-letter, redrive after upgrading).
   */
  private handlerTypeFor(type: string): string | null | undefined {
    if (this.options.handlers.has(type)) return type;
    const { unversioned, version } = parseEventType(type);
    const versions = this.versionsByName.get(unversioned);
    if (!versions) return null;
    const later = versions.find((v) => v > version);
    return later === undefined ? undefined : `${unversioned}.v${later}`;
  }

  private async handleTransactionally(
    message: InboundMessage,
    event: EventEnvelope,
    handler: EventHandler | undefined,
    success: ConsumeOutcome,
  ): Promise<ConsumeOutcome> {
    const { db, metrics } = this.options;
    const consumer = this.options.consumer;
    const delivery = this.deliveryOf(message);
    const key: AggregateKey = { consumer, source: event.source, tenantId: event.tenantid, aggregateId: event.subject };
    const stopTimer = handler ? metrics?.handlerDuration.startTimer({ consumer, event_type: event.type }) : undefined;
    let outcome: ConsumeOutcome = success;
    try {
      if (!db) {
        if (handler) await handler(event, this.contextFor(event, delivery, undefined));
      } else {
        outcome = await db.transaction(async (tx) => {
          const verdict = await claimAndSequence(tx, key, event.id, event.type, event.sequence, this.ordering);
          if (verdict === 'duplicate') return ConsumeOutcome.Duplicate;
          if (verdict === 'stale' && !delivery.redriven) return ConsumeOutcome.Stale;
          if (verdict === 'early' && !delivery.redriven) throw new DeferSignal();
          if (handler) await handler(event, this.contextFor(event, delivery, tx));
          return success;
        });
      }
    } catch (error) {
      stopTimer?.();
      if (error instanceof DeferSignal) return this.defer(message, event);
      return this.fail(message, event, key, error);
    }
    stopTimer?.();
    if (handler && outcome === success) {
      metrics?.eventAge.observe({ consumer }, Math.max(0, (Date.now() - Date.parse(event.time)) / 1000));
    }
    message.ack();
    return outcome;
  }

  private defer(message: InboundMessage, event: EventEnvelope): Promise<ConsumeOutcome> | ConsumeOutcome {
    const deliveryCount = message.info.deliveryCount;
    if (deliveryCount >= this.maxAttempts) {
      return this.deadLetter(
        message,
        DeadLetterReason.SequenceGap,
        event,
        new PermanentError(`sequence ${event.sequence} of ${event.subject} arrived but its predecessor never did`),
      );
    }
    message.nak(this.deferDelayMs * deliveryCount);
    return ConsumeOutcome.Deferred;
  }

  private async fail(message: InboundMessage, event: EventEnvelope, key: AggregateKey, error: unknown): Promise<ConsumeOutcome> {
    const deliveryCount = message.info.deliveryCount;
    const fields = { consumer: this.options.consumer, type: event.type, eventId: event.id, deliveryCount, correlationId: event.correlationid };
    if (isRetryable(error) && deliveryCount < this.maxAttempts) {
      const wait = backoffDelay(deliveryCount, this.retryBackoff);
      this.logger.warn({ ...fields, ...errorFields(error), retryInMs: wait }, 'event handler failed, will retry');
      message.nak(wait);
      return ConsumeOutcome.Retry;
    }
    const reason = isRetryable(error) ? DeadLetterReason.RetriesExhausted : DeadLetterReason.PermanentError;
    const outcome = await this.deadLetter(message, reason, event, error);
    if (outcome === ConsumeOutcome.DeadLetter && this.options.db && this.ordering !== OrderingMode.None) {
      // The aggregate moves on without this event; a redrive bypasses the stale check to apply it later.
      await this.options.db
        .transaction((tx) => advanceSequence(tx, key, event.sequence))
        .catch((e: unknown) => this.logger.error({ ...fields, ...errorFields(e) }, 'could not advance the sequence past a dead-lettered event'));
    }
    return outcome;
  }

  private async deadLetter(
    message: InboundMessage,
    reason: DeadLetterReason,
    event: EventEnvelope | undefined,
    error: unknown,
  ): Promise<ConsumeOutcome> {
    const consumer = this.options.consumer;
    const info = message.info;
    const fields = { consumer, reason, type: event?.type, eventId: event?.id, streamSequence: info.streamSequence, deliveryCount: info.deliveryCount };
    try {
      await this.options.deadLetters.deadLetter(
        {
          subject: message.subject,
          data: message.data,
          headers: headersOf(message),
          stream: info.stream,
          streamSequence: info.streamSequence,
          deliveryCount: info.deliveryCount,
        },
        { consumer, reason, error },
      );
    } catch (publishError) {
      // Cannot record it: keep the message and try again later rather than lose it.
      this.logger.error({ ...fields, ...errorFields(publishError) }, 'dead-lettering failed, message kept for redelivery');
      message.nak(backoffDelay(info.deliveryCount, this.retryBackoff));
      return ConsumeOutcome.Retry;
    }
    this.logger.error({ ...fields, ...errorFields(error) }, 'event dead-lettered');
    this.options.metrics?.deadLettered.inc({ consumer, reason });
    // No reason on the term: nats-server before 2.10 ignores `+TERM <reason>` entirely (the message
    // would come back after the ack wait); the DLQ record carries the reason.
    message.term();
    return ConsumeOutcome.DeadLetter;
  }

  private deliveryOf(message: InboundMessage): DeliveryMetadata {
    return {
      consumer: this.options.consumer,
      stream: message.info.stream,
      subject: message.subject,
      streamSequence: message.info.streamSequence,
      deliveryCount: message.info.deliveryCount,
      redriven: Boolean(message.headers?.get(REDRIVEN_FROM_HEADER)),
    };
  }

  private contextFor(event: EventEnvelope, delivery: DeliveryMetadata, tx: Transaction | undefined): EventContext {
    const outbox = this.options.outbox;
    return {
      event,
      delivery,
      tx,
      emit: async <Data>(emitted: EmittedEvent<Data>) => {
        if (!tx || !outbox) throw new PermanentError(`consumer ${delivery.consumer} has no database/outbox to emit ${emitted.type}`);
        return outbox.append(tx, {
          ...emitted,
          tenantId: emitted.tenantId ?? event.tenantid,
          correlationId: event.correlationid,
          causationId: event.id,
          traceparent: activeTraceparent() ?? event.traceparent,
        });
      },
    };
  }
}

function headersOf(message: InboundMessage): Record<string, string> {
  const result: Record<string, string> = {};
  const headers = message.headers;
  if (!headers) return result;
  for (const key of headers.keys()) result[key] = headers.get(key);
  return result;
}
