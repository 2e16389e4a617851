import { DeadLetterReason } from '../dlq/dead-letter.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { SequenceGapError } from '../errors.js';
import { ConsumeOutcome } from '../metrics/events.metrics.js';
import type { Database } from '../storage/database.js';
import { withHop, type Hop } from '../tracing/trace-context.js';
import type { BackoffOptions } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import { applyBatch, type BatchDependencies, type BatchPlanItem } from './batch-transaction.js';
import type { OrderingMode } from './inbox.js';
import { MessageDelivery } from './message-context.js';
import { DatabasePause } from './processing/database-pause.js';
import { DeadLettering } from './processing/dead-lettering.js';
import { decode, tryDecode } from './processing/decode.js';
import { ConsumeMetrics } from './processing/metrics.js';
import type { MessageProcessorOptions } from './processing/options.js';
import { deadLetterReasonOf, RetryPolicy } from './processing/retry.js';
import { orderingKeyOf, orderingModeOf, planOf, warnSequenceRowMissing } from './processing/sequencing.js';
import { SubjectCheck } from './processing/subject-check.js';
import { ConsumerTracing } from './processing/tracing.js';
import { Rejection, type Decision, type InboundMessage, type PreparedMessage } from './processing/types.js';
import { unknownType, unsupportedVersion, VersionRouter, type Route } from './processing/version-routing.js';
import { handleWithoutDatabase } from './processing/without-database.js';

export type { MessageProcessorOptions } from './processing/options.js';
export type { BatchEventHandler, ConsumerEventRegistry, Decision, EventHandler, InboundMessage, PreparedMessage } from './processing/types.js';
export { deferralDelay, FIRST_DEFERRAL_MAX_MS } from './processing/retry.js';

const DEFAULT_RETRY_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };
const DEFAULT_UNAVAILABLE_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 5000 };
const ACK: Decision = { outcome: ConsumeOutcome.Ack, settle: 'ack', applied: true };
const IGNORED: Decision = { outcome: ConsumeOutcome.Ignored, settle: 'ack' };
/** A message of a batch kept for the database when the consumer stops: back at once, no attempt spent. */
const HANDED_BACK: Decision = { outcome: ConsumeOutcome.Retry, settle: { nakMs: 0 } };

/**
 * Decides the fate of messages: decode, validate and route each ({@link prepare}), then handle a
 * batch of them in one database transaction ({@link handleBatch}): the inbox claims and sequence
 * checks of the whole batch in one statement, each handler in its own savepoint, one commit, and
 * only then the acks; or retry with backoff, or dead-letter with the reason. It never acks a
 * message whose effects were not committed and never drops one without a dead-letter record.
 *
 * This is where the stages of `processing/` are composed, each with one job: decode, the subject
 * check, version routing, inbox and sequence (sequencing.ts, batch-transaction.ts), retry,
 * dead-lettering, the pause on an unavailable database, metrics and tracing.
 */
export class MessageProcessor {
  private readonly ordering: OrderingMode;
  private readonly logger: EventsLogger;
  /** Whether the per-event `event handled` debug line is written (decided once: a hot path). */
  private readonly debugEnabled: boolean;
  private readonly tracing: ConsumerTracing;
  private readonly retry: RetryPolicy;
  private readonly versions: VersionRouter;
  private readonly subjects: SubjectCheck;
  private readonly deadLetters: DeadLettering;
  private readonly pause: DatabasePause;
  private readonly metrics: ConsumeMetrics | undefined;
  /** What a batch's transaction calls back into: made once, every batch uses it. */
  private readonly batch: BatchDependencies;
  private readonly stopSignal = new AbortController();

  constructor(private readonly options: MessageProcessorOptions) {
    const { consumer, registry } = options;
    const stopped = this.stopSignal.signal;
    const ackWaitMs = options.ackWaitMs ?? 30_000;
    const unavailableBackoff = options.unavailableBackoff ?? DEFAULT_UNAVAILABLE_BACKOFF;
    this.ordering = orderingModeOf(consumer, options.ordering, options.db !== undefined);
    this.logger = options.logger ?? silentLogger;
    this.debugEnabled = this.logger.isLevelEnabled?.('debug') ?? true;
    this.tracing = new ConsumerTracing(consumer);
    const retry = new RetryPolicy({ consumer, maxAttempts: options.maxAttempts ?? 4, backoff: options.retryBackoff ?? DEFAULT_RETRY_BACKOFF, deferDelayMs: options.deferDelayMs ?? 200, logger: this.logger });
    this.retry = retry;
    this.versions = new VersionRouter(registry, options.handlers, options.batchHandlers ?? new Map());
    this.subjects = new SubjectCheck(registry);
    this.deadLetters = new DeadLettering({ consumer, publisher: options.deadLetters, retry, backoff: unavailableBackoff, ackWaitMs, logger: this.logger, stopped });
    this.pause = new DatabasePause({ consumer, backoff: unavailableBackoff, ackWaitMs, logger: this.logger, stopped });
    this.metrics = options.metrics && new ConsumeMetrics(options.metrics, consumer);
    this.batch = {
      consumer,
      ordering: this.ordering,
      metrics: options.metrics,
      outbox: options.outbox,
      failed: (item, error) => this.failed(item.prepared, error),
      deferred: (item) => this.deferred(item.prepared),
      finalDeferral: (item) => retry.isFinalDeferral(item.prepared.message.info.deliveryCount),
    };
  }

  get consumer(): string {
    return this.options.consumer;
  }

  /** True while a batch waits for the database to come back (readiness turns false meanwhile). */
  get isDatabaseUnavailable(): boolean {
    return this.pause.isUnavailable;
  }

  /** Stop retrying batches that wait for the database: their messages are given back at once. */
  stop(): void {
    this.stopSignal.abort();
  }

  /** Decode only: the key that serialises handling (`tenant/source/aggregate`), or a per-message key. */
  static orderingKey(message: InboundMessage, decoded: EventEnvelope | undefined): string {
    return orderingKeyOf(message, decoded);
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
    const key = orderingKeyOf(message, decoded);
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
    if (!item.handler && !item.batchHandler) return IGNORED;
    try {
      await handleWithoutDatabase(item, this.options.outbox, this.metrics);
      return ACK;
    } catch (error) {
      return this.failed(item, error);
    }
  }

  /**
   * Run `work` in one transaction (inbox, sequences, a savepoint per handler: applyBatch); while
   * the database is unavailable the pause keeps the messages and tries again later.
   */
  private transact(db: Database, work: readonly PreparedMessage[]): Promise<Decision[]> {
    const plan = planOf(this.options.consumer, this.ordering, work);
    const attempt = async () => {
      const decided = await db.transaction((tx) => applyBatch(tx, plan, this.batch));
      const byMessage = new Map(plan.map((item) => [item.prepared, decided.get(item)!]));
      return work.map((item) => byMessage.get(item)!);
    };
    return this.pause.run(work, attempt, {
      failed: (error) => this.batchFailed(db, plan, work, error),
      stopped: () => work.map(() => HANDED_BACK),
    });
  }

  /** A failure of the batch itself (a deadlock, a bug): each message alone, so that a failure is its own message's. */
  private async batchFailed(db: Database, plan: readonly BatchPlanItem[], work: readonly PreparedMessage[], error: unknown): Promise<Decision[]> {
    if (work.length === 1) return [await this.failed(work[0]!, error)];
    this.logger.warn({ consumer: this.options.consumer, messages: work.length, ...errorFields(error) }, 'batch failed; handling its messages one by one');
    const byMessage = new Map<PreparedMessage, Decision>();
    for (const item of plan) byMessage.set(item.prepared, (await this.transact(db, [item.prepared]))[0]!);
    return work.map((item) => byMessage.get(item)!);
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

  /** Send the settlement (after commit), count the outcome and end the message's hop. */
  private settle(item: PreparedMessage, decision: Decision): ConsumeOutcome {
    const { message } = item;
    const settle = decision.settle;
    if (settle === 'ack') message.ack();
    // No reason on the term: nats-server before 2.10 ignores `+TERM <reason>` entirely (the message
    // would come back after the ack wait); the DLQ record carries the reason.
    else if (settle === 'term') message.term();
    else message.nak(settle.nakMs);
    if (decision.sequenceRowMissing) warnSequenceRowMissing(this.logger, this.options.consumer, item);
    this.metrics?.settled(item, decision);
    if (this.debugEnabled && decision.outcome !== ConsumeOutcome.Retry && decision.outcome !== ConsumeOutcome.DeadLetter) {
      const event = item.event;
      withHop(item.hop, () => this.logger.debug({ consumer: this.options.consumer, type: event?.type, eventId: event?.id, subject: event?.subject, outcome: decision.outcome }, 'event handled'));
    }
    this.tracing.end(item.hop);
    return decision.outcome;
  }

  /** A prepared message; one shape for every outcome (the hot path stays monomorphic). */
  private prepared(message: InboundMessage, hop: Hop, typeLabel: string, orderingKey: string, event: EventEnvelope | undefined, route: Route | null, rejection: Rejection | undefined): PreparedMessage {
    return { message, hop, typeLabel, orderingKey, event, handler: route?.handler, batchHandler: route?.batchHandler, rejection, delivery: new MessageDelivery(this.options.consumer, message) };
  }
}
