// Longer than the ~250 lines a file here aims at, on purpose: one batch's run (sequence rows,
// savepoints, hold-backs, the verdict of each message) is one piece of state read in one place;
// the decisions it feeds are the processor's stages (processing/).
import type { EventEnvelope } from '../envelope/envelope.js';
import { ConsumeOutcome, type EventsMetrics } from '../metrics/events.metrics.js';
import type { Transaction } from '../storage/database.js';
import { withHop } from '../tracing/trace-context.js';
import type { Outbox } from '../outbox/outbox.js';
import { claimBatch, finalizeBatch, OrderingMode, type AggregateKey } from './inbox.js';
import { MessageScope } from './message-scope.js';
import { BatchMessageContext, MessageContext } from './message-context.js';
import type { Decision, PreparedMessage } from './message-processor.js';

/** One message of a batch as the transaction sees it. */
export interface BatchPlanItem {
  readonly prepared: PreparedMessage;
  readonly event: EventEnvelope;
  readonly key: AggregateKey;
  readonly keyString: string;
  /** Lower-case, as PostgreSQL returns uuids. */
  readonly eventId: string;
  /** Position in the batch as received. */
  readonly index: number;
}

export interface BatchDependencies {
  readonly consumer: string;
  readonly ordering: OrderingMode;
  readonly metrics?: EventsMetrics;
  /** The outbox handlers emit into. */
  readonly outbox?: Outbox;
  /** The decision for a handler failure (retry or dead-letter, the DLQ copy published already). */
  failed(item: BatchPlanItem, error: unknown): Promise<Decision>;
  /** The decision for an early event (held back, or dead-lettered on its last attempt). */
  deferred(item: BatchPlanItem): Promise<Decision> | Decision;
  /**
   * Whether an early event is on its final deferral (where {@link deferred} dead-letters it as
   * `sequence_gap`). Such an event of an aggregate that had no sequence row when the batch
   * claimed it is applied instead: the row was pruned once the aggregate had been idle for the
   * sequence retention, and its predecessors were applied before that. Its decision carries
   * `sequenceRowMissing`. Absent: never (every early event is deferred).
   */
  finalDeferral?(item: BatchPlanItem): boolean;
}

const ACK: Decision = { outcome: ConsumeOutcome.Ack, settle: 'ack', applied: true };
const IGNORED: Decision = { outcome: ConsumeOutcome.Ignored, settle: 'ack' };
const DUPLICATE: Decision = { outcome: ConsumeOutcome.Duplicate, settle: 'ack' };
const STALE: Decision = { outcome: ConsumeOutcome.Stale, settle: 'ack' };

const SAVEPOINT = 'SAVEPOINT events_message';
const ROLLBACK_TO_SAVEPOINT = 'ROLLBACK TO SAVEPOINT events_message';

/**
 * Run a batch (`plan`, in the order it must apply) inside `tx`: claim every event in the inbox and
 * read every aggregate's sequence in one statement; then, message after message, drop duplicates
 * and stale events, hold back early ones, and run each handler in a savepoint of its own — a
 * handler that throws, or whose statement failed, is rolled back to it and leaves the others'
 * work and outbox rows alone; advance the sequences and release the claims of what was not
 * applied in one statement. Consecutive events of one batch handler run as one call in one
 * savepoint; when it fails they are handled again one by one. Returns each message's decision;
 * the caller commits, then settles. A failure of the batch's own statements rejects (nothing of
 * it commits).
 */
export async function applyBatch(tx: Transaction, plan: readonly BatchPlanItem[], deps: BatchDependencies): Promise<Map<BatchPlanItem, Decision>> {
  const batch = new BatchRun(tx, deps);
  await batch.run(plan);
  return batch.decisions;
}

class BatchRun {
  readonly decisions = new Map<BatchPlanItem, Decision>();
  private last = new Map<string, number>();
  /** The aggregates that had a sequence row when the batch claimed them. */
  private rows: ReadonlyMap<string, number> = new Map();
  /** Aggregates of which an early event was held back in this batch: their predecessors are not all applied. */
  private readonly heldBack = new Set<string>();
  /** Early events applied without a sequence row on their final deferral (see {@link BatchDependencies.finalDeferral}). */
  private readonly withoutRow = new Set<BatchPlanItem>();
  private advanced = new Map<string, { key: AggregateKey; sequence: number }>();
  private readonly released: string[] = [];

  constructor(
    private readonly tx: Transaction,
    private readonly deps: BatchDependencies,
  ) {}

  async run(plan: readonly BatchPlanItem[]): Promise<void> {
    const { claimed, lastSequences } = await claimBatch(
      this.tx,
      this.deps.consumer,
      plan.map((item) => ({ eventId: item.eventId, eventType: item.event.type, key: item.key })),
      this.deps.ordering,
    );
    this.rows = lastSequences;
    this.last = new Map(lastSequences);
    const firstOf = new Map<string, BatchPlanItem>();
    const copies: Array<[BatchPlanItem, BatchPlanItem]> = [];
    let group: BatchPlanItem[] = [];
    for (const item of plan) {
      const first = firstOf.get(item.eventId);
      if (first) {
        copies.push([item, first]);
        continue;
      }
      firstOf.set(item.eventId, item);
      if (!claimed.has(item.eventId)) {
        this.decisions.set(item, DUPLICATE);
        continue;
      }
      const batchHandler = item.prepared.batchHandler;
      if (batchHandler) {
        if (group.length > 0 && group[0]!.prepared.batchHandler !== batchHandler) {
          await this.flush(group);
          group = [];
        }
        group.push(item);
        continue;
      }
      if (group.length > 0) {
        await this.flush(group);
        group = [];
      }
      await this.single(item);
    }
    if (group.length > 0) await this.flush(group);
    // A second copy of an event in the same batch follows its first copy: a duplicate when the
    // first's work stays (or the DLQ holds it), else back for redelivery with it.
    for (const [copy, first] of copies) {
      const decided = this.decisions.get(first)!;
      this.decisions.set(copy, decided.outcome === ConsumeOutcome.Retry || decided.outcome === ConsumeOutcome.Deferred ? { outcome: decided.outcome, settle: decided.settle } : DUPLICATE);
    }
    for (const item of this.withoutRow) {
      const decided = this.decisions.get(item)!;
      if (decided.outcome === ConsumeOutcome.Ack || decided.outcome === ConsumeOutcome.Ignored) this.decisions.set(item, { ...decided, sequenceRowMissing: true });
    }
    await finalizeBatch(this.tx, this.deps.consumer, [...this.advanced.values()], this.released);
  }

  private verdictOf(item: BatchPlanItem): 'apply' | 'stale' | 'early' {
    const ordering = this.deps.ordering;
    if (ordering === OrderingMode.None) return 'apply';
    const last = this.last.get(item.keyString) ?? 0;
    const sequence = item.event.sequence;
    // An event redriven to this consumer bypasses the checks: the aggregate moved on past it when
    // it was dead-lettered. Other consumers of its subject judge it as any old event.
    if (sequence <= last) return item.prepared.delivery.redriven ? 'apply' : 'stale';
    if (ordering === OrderingMode.Strict && sequence > last + 1) return item.prepared.delivery.redriven ? 'apply' : 'early';
    return 'apply';
  }

  /**
   * {@link verdictOf}, except that an early event on its final deferral of an aggregate without a
   * sequence row applies (see {@link BatchDependencies.finalDeferral}) — unless an earlier event of
   * the aggregate was held back in this batch, which shows a predecessor still missing.
   */
  private judge(item: BatchPlanItem): 'apply' | 'stale' | 'early' {
    const verdict = this.verdictOf(item);
    if (verdict !== 'early') return verdict;
    if (this.rows.has(item.keyString) || this.heldBack.has(item.keyString) || !this.deps.finalDeferral?.(item)) {
      this.heldBack.add(item.keyString);
      return verdict;
    }
    this.withoutRow.add(item);
    return 'apply';
  }

  private advance(item: BatchPlanItem): void {
    if (this.deps.ordering === OrderingMode.None) return;
    const sequence = item.event.sequence;
    if (sequence > (this.last.get(item.keyString) ?? 0)) {
      this.last.set(item.keyString, sequence);
      this.advanced.set(item.keyString, { key: item.key, sequence });
    }
  }

  /** A verdict other than apply: stale keeps its inbox claim (acked), early releases it (held back). */
  private async decideSkipped(item: BatchPlanItem, verdict: 'stale' | 'early'): Promise<void> {
    if (verdict === 'stale') {
      this.decisions.set(item, STALE);
      return;
    }
    this.released.push(item.eventId);
    this.decisions.set(item, await this.deps.deferred(item));
  }

  /** One message in a savepoint of its own; a batch handler is called with this event alone. */
  private async single(item: BatchPlanItem): Promise<void> {
    const verdict = this.judge(item);
    if (verdict !== 'apply') return this.decideSkipped(item, verdict);
    const { handler, batchHandler } = item.prepared;
    if (!handler && !batchHandler) {
      this.advance(item);
      this.decisions.set(item, IGNORED);
      return;
    }
    const error = await this.inSavepoint(item, (scope) =>
      handler ? handler(item.event, new MessageContext(item.event, item.prepared.delivery, scope, this.deps.outbox)) : batchHandler!([item.event], new BatchMessageContext(scope, [item.prepared.delivery])),
    );
    if (error === undefined) {
      this.advance(item);
      this.decisions.set(item, ACK);
      return;
    }
    this.released.push(item.eventId);
    const decision = await this.deps.failed(item, error);
    // The aggregate moves on without a dead-lettered event, in this very commit (a redrive applies it later).
    if (decision.deadLetter) this.advance(item);
    this.decisions.set(item, decision);
  }

  /** Consecutive events of one batch handler: one call in one savepoint; after a failure, one by one. */
  private async flush(group: readonly BatchPlanItem[]): Promise<void> {
    const savedLast = new Map(this.last);
    const savedAdvanced = new Map(this.advanced);
    const applying: BatchPlanItem[] = [];
    const skipped: Array<[BatchPlanItem, 'stale' | 'early']> = [];
    for (const item of group) {
      const verdict = this.judge(item);
      if (verdict === 'apply') {
        applying.push(item);
        this.advance(item);
      } else skipped.push([item, verdict]);
    }
    const handler = group[0]!.prepared.batchHandler!;
    const error =
      applying.length === 0
        ? undefined
        : await this.inSavepoint(applying[0]!, (scope) =>
            handler(
              applying.map((item) => item.event),
              new BatchMessageContext(scope, applying.map((item) => item.prepared.delivery)),
            ),
          );
    if (error === undefined) {
      for (const item of applying) this.decisions.set(item, ACK);
      for (const [item, verdict] of skipped) await this.decideSkipped(item, verdict);
      return;
    }
    this.last = savedLast;
    this.advanced = savedAdvanced;
    for (const item of group) await this.single(item);
  }

  /**
   * Run `work` in a savepoint: undefined when it succeeded (its after-commit callbacks join the
   * batch), else the error, with the transaction rolled back to the savepoint.
   */
  private async inSavepoint(item: BatchPlanItem, work: (scope: MessageScope) => Promise<void>): Promise<unknown> {
    await this.tx.query(SAVEPOINT);
    const scope = new MessageScope(this.tx);
    const stopTimer = this.deps.metrics?.handlerDuration.startTimer({ consumer: this.deps.consumer, event_type: item.event.type });
    let error: unknown;
    try {
      await withHop(item.prepared.hop, () => work(scope));
      error = scope.failure;
    } catch (thrown) {
      error = thrown ?? new Error('handler threw without an error');
    } finally {
      stopTimer?.();
    }
    if (error === undefined) {
      scope.keep();
      return undefined;
    }
    await this.tx.query(ROLLBACK_TO_SAVEPOINT);
    return error;
  }
}
