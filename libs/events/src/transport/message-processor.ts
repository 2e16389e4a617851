import type { EventEnvelope } from '../envelope/envelope.js';
import { SequenceGapError } from '../errors.js';
import { DeadLetterReason } from '../dlq/dead-letter.js';
import { ConsumeOutcome, type EventsMetrics } from '../metrics/events.metrics.js';
import type { Database } from '../storage/database.js';
import { isInfrastructureFailure } from '../storage/infrastructure-failure.js';
import { withHop, type Hop } from '../tracing/trace-context.js';
import { backoffDelay, delay, type BackoffOptions } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import { applyBatch, type BatchPlanItem } from './batch-transaction.js';
import { BatchMessageContext, MessageContext, MessageDelivery } from './message-context.js';
import { aggregateKeyString, OrderingMode, type AggregateKey } from './inbox.js';
import { DeadLettering } from './processing/dead-lettering.js';
import { decode, tryDecode } from './processing/decode.js';
import { keepAlive } from './processing/keep-alive.js';
import type { MessageProcessorOptions } from './processing/options.js';
import { deadLetterReasonOf, RetryPolicy } from './processing/retry.js';
import { SubjectCheck } from './processing/subject-check.js';
import { ConsumerTracing } from './processing/tracing.js';
import { Rejection, type Decision, type InboundMessage, type PreparedMessage } from './processing/types.js';
import { unknownType, unsupportedVersion, VersionRouter, type Route } from './processing/version-routing.js';

export type { MessageProcessorOptions } from './processing/options.js';
export type { BatchEventHandler, ConsumerEventRegistry, Decision, EventHandler, InboundMessage, PreparedMessage } from './processing/types.js';
export { deferralDelay, FIRST_DEFERRAL_MAX_MS } from './processing/retry.js';

const DEFAULT_RETRY_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };
const DEFAULT_UNAVAILABLE_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 5000 };
const ACK: Decision = { outcome: ConsumeOutcome.Ack, settle: 'ack', applied: true };

/**
 * Decides the fate of messages: decode, validate and route each ({@link prepare}), then handle a
 * batch of them in one database transaction ({@link handleBatch}): the inbox claims and sequence
 * checks of the whole batch in one statement, each handler in its own savepoint, one commit, and
 * only then the acks; or retry with backoff, or dead-letter with the reason. It never acks a
 * message whose effects were not committed and never drops one without a dead-letter record.
 */
export class MessageProcessor {
  private readonly ordering: OrderingMode;
  private readonly unavailableBackoff: BackoffOptions;
  private readonly ackWaitMs: number;
  private readonly logger: EventsLogger;
  /** Whether the per-event `event handled` debug line is written (decided once: a hot path). */
  private readonly debugEnabled: boolean;
  private readonly tracing: ConsumerTracing;
  private readonly versions: VersionRouter;
  private readonly subjects: SubjectCheck;
  private readonly retry: RetryPolicy;
  private readonly deadLetters: DeadLettering;
  private unavailableBatches = 0;
  private readonly consumedCounters = new Map<string, { inc(): void }>();
  private stopping = false;
  private readonly stopSignal = new AbortController();

  constructor(private readonly options: MessageProcessorOptions) {
    this.ordering = options.ordering ?? (options.db ? OrderingMode.Strict : OrderingMode.None);
    if (!options.db && this.ordering !== OrderingMode.None) {
      throw new TypeError(`consumer ${options.consumer}: ordering "${this.ordering}" needs a database`);
    }
    this.unavailableBackoff = options.unavailableBackoff ?? DEFAULT_UNAVAILABLE_BACKOFF;
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.debugEnabled = this.logger.isLevelEnabled?.('debug') ?? true;
    this.tracing = new ConsumerTracing(options.consumer);
    this.versions = new VersionRouter(options.registry, options.handlers, options.batchHandlers ?? new Map());
    this.subjects = new SubjectCheck(options.registry);
    this.retry = new RetryPolicy({ consumer: options.consumer, maxAttempts: options.maxAttempts ?? 4, backoff: options.retryBackoff ?? DEFAULT_RETRY_BACKOFF, deferDelayMs: options.deferDelayMs ?? 200, logger: this.logger });
    this.deadLetters = new DeadLettering({
      consumer: options.consumer,
      publisher: options.deadLetters,
      retry: this.retry,
      backoff: this.unavailableBackoff,
      ackWaitMs: this.ackWaitMs,
      logger: this.logger,
      stopped: this.stopSignal.signal,
    });
  }

  get consumer(): string {
    return this.options.consumer;
  }

  /** True while a batch waits for the database to come back (readiness turns false meanwhile). */
  get isDatabaseUnavailable(): boolean {
    return this.unavailableBatches > 0;
  }

  /** Stop retrying batches that wait for the database: their messages are given back at once. */
  stop(): void {
    this.stopping = true;
    this.stopSignal.abort();
  }

  /** Decode only: the key that serialises handling (`tenant/source/aggregate`), or a per-message key. */
  static orderingKey(message: InboundMessage, decoded: EventEnvelope | undefined): string {
    return decoded ? `${decoded.tenantid}/${decoded.source}/${decoded.subject}` : `seq:${message.info.streamSequence}`;
  }

  /** Parse the envelope; undefined when the payload is not one (the processor dead-letters it). */
  static tryDecode(message: InboundMessage): EventEnvelope | undefined {
    return tryDecode(message);
  }

  /** Handle one message on its own (a batch of one). */
  async process(message: InboundMessage, decoded = tryDecode(message)): Promise<ConsumeOutcome> {
    const [outcome] = await this.handleBatch([this.prepare(message, decoded)]);
    return outcome!;
  }

  /**
   * Decode (unless `decoded` is given), validate and route one message; a message that can never
   * be handled (malformed, unknown type, invalid payload, a version ahead of every handler,
   * delivered more often than the handler may run) carries its rejection. The stages run in this
   * order, the first rejection decides.
   */
  prepare(message: InboundMessage, decoded = tryDecode(message)): PreparedMessage {
    const known = decoded !== undefined && this.versions.isKnown(decoded.type);
    const hop = this.tracing.start(decoded);
    const typeLabel = known ? decoded.type : 'unknown';
    const key = MessageProcessor.orderingKey(message, decoded);
    if (this.retry.isBeyondAttempts(message.info.deliveryCount)) return this.prepared(message, hop, typeLabel, key, decoded, null, this.retry.beyondAttempts());
    const envelope = decoded ?? decode(message);
    if (envelope instanceof Rejection) return this.prepared(message, hop, typeLabel, key, undefined, null, envelope);
    if (!known && !this.versions.isKnown(envelope.type)) return this.prepared(message, hop, typeLabel, key, envelope, null, unknownType(envelope));
    const mismatch = this.subjects.check(message, envelope);
    if (mismatch) return this.prepared(message, hop, typeLabel, key, envelope, null, mismatch);
    const route = this.versions.route(envelope.type);
    if (route === null) return this.prepared(message, hop, typeLabel, key, envelope, null, undefined);
    if (route === undefined) return this.prepared(message, hop, typeLabel, key, envelope, null, unsupportedVersion(envelope));
    const handled = this.versions.toHandlerVersion(envelope, route);
    if (handled instanceof Rejection) return this.prepared(message, hop, typeLabel, key, envelope, null, handled);
    return this.prepared(message, hop, typeLabel, key, handled, route, undefined);
  }

  /**
   * Handle prepared messages together: rejections go to the DLQ; the others run in one database
   * transaction (one per message without a database), each handler isolated in a savepoint, and
   * are settled after the commit. While the database is unavailable the batch is kept and tried
   * again without spending the messages' attempts. Returns each message's outcome, in order.
   */
  async handleBatch(items: readonly PreparedMessage[]): Promise<ConsumeOutcome[]> {
    if (items.length === 1) return [await this.handleOne(items[0]!)];
    const decisions = new Map<PreparedMessage, Decision>();
    const work: PreparedMessage[] = [];
    await Promise.all(
      items.map(async (item) => {
        if (item.rejection) decisions.set(item, await this.deadLetters.send(item, item.rejection.reason, item.rejection.error));
        else work.push(item);
      }),
    );
    if (work.length > 0) {
      const db = this.options.db;
      const decided = db ? await this.transact(db, work) : await Promise.all(work.map((item) => this.runWithoutDatabase(item)));
      work.forEach((item, i) => decisions.set(item, decided[i]!));
    }
    return items.map((item) => this.settle(item, decisions.get(item)!));
  }

  /** The common case of a batch of one, without the batch's bookkeeping. */
  private async handleOne(item: PreparedMessage): Promise<ConsumeOutcome> {
    const db = this.options.db;
    let decision: Decision;
    if (item.rejection) decision = await this.deadLetters.send(item, item.rejection.reason, item.rejection.error);
    else if (db) decision = (await this.transact(db, [item]))[0]!;
    else decision = await this.runWithoutDatabase(item);
    return this.settle(item, decision);
  }

  /** Handle without a database: no inbox, no ordering, at-least-once. */
  private async runWithoutDatabase(item: PreparedMessage): Promise<Decision> {
    const event = item.event!;
    if (!item.handler && !item.batchHandler) return { outcome: ConsumeOutcome.Ignored, settle: 'ack' };
    const stopTimer = this.options.metrics?.handlerDuration.startTimer({ consumer: this.options.consumer, event_type: event.type });
    try {
      const delivery = item.delivery;
      if (item.handler) await withHop(item.hop, () => item.handler!(event, new MessageContext(event, delivery, undefined, this.options.outbox)));
      else await withHop(item.hop, () => item.batchHandler!([event], new BatchMessageContext(undefined, [delivery])));
      return ACK;
    } catch (error) {
      return this.failed(item, error);
    } finally {
      stopTimer?.();
    }
  }

  /**
   * Run `work` in one transaction; after a failure of the batch itself (not of a handler): while
   * the database is unavailable, keep the messages and try again later; otherwise handle each
   * message alone, so that a failure is attributed to its own message.
   */
  private async transact(db: Database, work: readonly PreparedMessage[]): Promise<Decision[]> {
    const plan = this.planOf(work);
    let attempt = 0;
    let stopKeepAlive: (() => void) | undefined;
    try {
      for (;;) {
        try {
          const decided = await db.transaction((tx) =>
            applyBatch(tx, plan, {
              consumer: this.options.consumer,
              ordering: this.ordering,
              metrics: this.options.metrics,
              outbox: this.options.outbox,
              failed: (item, error) => this.failed(item.prepared, error),
              deferred: (item) => this.deferred(item.prepared),
              finalDeferral: (item) => this.retry.isFinalDeferral(item.prepared.message.info.deliveryCount),
            }),
          );
          const byMessage = new Map(plan.map((item) => [item.prepared, decided.get(item)!]));
          return work.map((item) => byMessage.get(item)!);
        } catch (error) {
          if (isInfrastructureFailure(error) && !this.stopping) {
            attempt++;
            if (attempt === 1) {
              this.unavailableBatches++;
              stopKeepAlive = keepAlive(work, this.ackWaitMs);
            }
            const wait = backoffDelay(attempt, this.unavailableBackoff);
            this.logger.warn({ consumer: this.options.consumer, messages: work.length, attempt, retryInMs: wait, ...errorFields(error) }, 'database unavailable: batch kept, retrying');
            await delay(wait, this.stopSignal.signal);
            continue;
          }
          if (isInfrastructureFailure(error)) {
            // Stopping: give the messages back at once, without spending an attempt of theirs.
            return work.map(() => ({ outcome: ConsumeOutcome.Retry, settle: { nakMs: 0 } }));
          }
          if (work.length > 1) {
            this.logger.warn({ consumer: this.options.consumer, messages: work.length, ...errorFields(error) }, 'batch failed; handling its messages one by one');
            const byMessage = new Map<PreparedMessage, Decision>();
            for (const item of plan) byMessage.set(item.prepared, (await this.transact(db, [item.prepared]))[0]!);
            return work.map((item) => byMessage.get(item)!);
          }
          return [await this.failed(work[0]!, error)];
        }
      }
    } finally {
      if (attempt > 0) {
        stopKeepAlive?.();
        this.unavailableBatches--;
        this.logger.info({ consumer: this.options.consumer, attempts: attempt }, 'database available again: batch handled');
      }
    }
  }

  /**
   * The batch in the order it runs: with ordering, by aggregate and then sequence (one
   * aggregate's events apply in sequence inside a batch; aggregates are locked in key order).
   */
  private planOf(work: readonly PreparedMessage[]): BatchPlanItem[] {
    const plan = work.map((prepared, index): BatchPlanItem => {
      const event = prepared.event!;
      const key: AggregateKey = { consumer: this.options.consumer, source: event.source, tenantId: event.tenantid, aggregateId: event.subject };
      return {
        prepared,
        event,
        key,
        keyString: aggregateKeyString(key),
        eventId: event.id.toLowerCase(),
        index,
      };
    });
    if (this.ordering !== OrderingMode.None && plan.length > 1) {
      plan.sort((a, b) => (a.keyString < b.keyString ? -1 : a.keyString > b.keyString ? 1 : a.event.sequence - b.event.sequence || a.index - b.index));
    }
    return plan;
  }

  /** A handler failed: retried while attempts remain and the error is retryable, else dead-lettered (a failed DLQ copy keeps the message). */
  private async failed(item: PreparedMessage, error: unknown): Promise<Decision> {
    return this.retry.afterFailure(item, error) ?? this.deadLetters.send(item, deadLetterReasonOf(error), error);
  }

  /** An early event (its predecessor not applied yet): held back, or dead-lettered on its last attempt. */
  private deferred(item: PreparedMessage): Promise<Decision> | Decision {
    const event = item.event!;
    return this.retry.holdBack(item) ?? this.deadLetters.send(item, DeadLetterReason.SequenceGap, new SequenceGapError(event.subject, event.sequence));
  }

  /** Send the settlement (after commit) and count the outcome. */
  private settle(item: PreparedMessage, decision: Decision): ConsumeOutcome {
    const { metrics, consumer } = this.options;
    const { message } = item;
    const settle = decision.settle;
    if (settle === 'ack') message.ack();
    // No reason on the term: nats-server before 2.10 ignores `+TERM <reason>` entirely (the message
    // would come back after the ack wait); the DLQ record carries the reason.
    else if (settle === 'term') message.term();
    else message.nak(settle.nakMs);
    if (decision.sequenceRowMissing) {
      const event = item.event!;
      withHop(item.hop, () =>
        this.logger.warn(
          { consumer, type: event.type, eventId: event.id, subject: event.subject, sequence: event.sequence, deliveryCount: message.info.deliveryCount },
          "event applied on its final deferral without its aggregate's sequence row (pruned after the sequence retention): its predecessors are taken as applied",
        ),
      );
      metrics?.sequenceRowMissing.inc({ consumer });
    }
    if (metrics) {
      this.consumedCounter(metrics, item.typeLabel, decision.outcome).inc();
      if (decision.deadLetter) metrics.deadLettered.inc({ consumer, reason: decision.deadLetter });
      if (decision.applied && item.event) metrics.eventAge.observe({ consumer }, Math.max(0, (Date.now() - Date.parse(item.event.time)) / 1000));
    }
    if (this.debugEnabled && decision.outcome !== ConsumeOutcome.Retry && decision.outcome !== ConsumeOutcome.DeadLetter) {
      const event = item.event;
      withHop(item.hop, () => this.logger.debug({ consumer, type: event?.type, eventId: event?.id, subject: event?.subject, outcome: decision.outcome }, 'event handled'));
    }
    this.tracing.end(item.hop);
    return decision.outcome;
  }

  /** The `events_consumed_total` child of a type and outcome, looked up once. */
  private consumedCounter(metrics: EventsMetrics, type: string, outcome: ConsumeOutcome): { inc(): void } {
    const key = `${type}|${outcome}`;
    let counter = this.consumedCounters.get(key);
    if (!counter) {
      counter = metrics.consumed.labels({ consumer: this.options.consumer, event_type: type, outcome });
      if (this.consumedCounters.size < 4096) this.consumedCounters.set(key, counter);
    }
    return counter;
  }

  /** A prepared message; one shape for every outcome (the hot path stays monomorphic). */
  private prepared(
    message: InboundMessage,
    hop: Hop,
    typeLabel: string,
    orderingKey: string,
    event: EventEnvelope | undefined,
    route: Route | null,
    rejection: Rejection | undefined,
  ): PreparedMessage {
    const handler = route?.handler;
    const batchHandler = route?.batchHandler;
    return { message, hop, typeLabel, orderingKey, event, handler, batchHandler, rejection, delivery: new MessageDelivery(this.options.consumer, message) };
  }
}
