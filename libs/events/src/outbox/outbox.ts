import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import type { Transaction } from '../storage/database.js';
import { subjectFor } from '../subjects/subjects.js';

/** Validates an event payload against its contract; throws InvalidEventError / UnknownEventTypeError. */
export interface EventValidator {
  validate(type: string, data: unknown): unknown;
}

/** An event to record in the outbox, inside the caller's transaction. */
export interface OutboxEventInput<Data = unknown> {
  /** Versioned wire type, e.g. `order.created.v1`. */
  readonly type: string;
  readonly data: Data;
  readonly tenantId: string;
  /** The aggregate id (CloudEvents `subject`): the unit of ordering. */
  readonly aggregateId: string;
  /** Defaults to the event's own id (a new chain). */
  readonly correlationId?: string;
  /** Defaults to the correlation id. */
  readonly causationId?: string;
  readonly traceparent?: string;
}

export interface OutboxOptions {
  /** CloudEvents `source`: the producing service. */
  readonly source: string;
  readonly validator: EventValidator;
  /** NOTIFY channel that wakes relays in other processes (PostgreSQL). Default `events_outbox`. */
  readonly notifyChannel?: string;
}

export const DEFAULT_OUTBOX_CHANNEL = 'events_outbox';

/** NATS header carrying the event's versioned type beside the structured-mode body. */
export const CE_TYPE_HEADER = 'Ce-Type';

/**
 * The write side of the transactional outbox. `append` validates the event, assigns the next
 * per-aggregate `sequence` and stores the envelope in the caller's transaction: the event exists
 * if and only if the state change commits. The relay publishes it afterwards.
 */
export class Outbox {
  private readonly channel: string;
  private readonly wakeListeners = new Set<() => void>();
  private readonly notified = new WeakSet<Transaction>();

  constructor(private readonly options: OutboxOptions) {
    this.channel = options.notifyChannel ?? DEFAULT_OUTBOX_CHANNEL;
  }

  get notifyChannel(): string {
    return this.channel;
  }

  get source(): string {
    return this.options.source;
  }

  /** Called by an in-process relay: `fn` runs after every commit that appended events. */
  onCommit(fn: () => void): () => void {
    this.wakeListeners.add(fn);
    return () => this.wakeListeners.delete(fn);
  }

  /**
   * Record `input` in `tx`. Throws InvalidEventError (nothing is written) when the payload
   * breaks its contract. Sequence allocation takes a row lock on the aggregate, so concurrent
   * transactions on one aggregate commit their events in sequence order.
   */
  async append<Data>(tx: Transaction, input: OutboxEventInput<Data>): Promise<EventEnvelope<Data>> {
    this.options.validator.validate(input.type, input.data);
    const subject = subjectFor(input.type, input.tenantId);
    const { rows } = await tx.query<{ last_sequence: number }>(
      `INSERT INTO events_aggregate_sequences (tenant_id, aggregate_id, last_sequence) VALUES ($1, $2, 1)
       ON CONFLICT (tenant_id, aggregate_id)
       DO UPDATE SET last_sequence = events_aggregate_sequences.last_sequence + 1
       RETURNING last_sequence`,
      [input.tenantId, input.aggregateId],
    );
    const sequence = rows[0]!.last_sequence;
    const envelope = createEnvelope<Data & object>({
      source: this.options.source,
      type: input.type,
      subject: input.aggregateId,
      tenantId: input.tenantId,
      sequence,
      data: input.data as Data & object,
      correlationId: input.correlationId,
      causationId: input.causationId,
      traceparent: input.traceparent,
    }) as EventEnvelope<Data>;
    // CloudEvents type as a header too, so tools and metrics can route without parsing the body.
    const headers: Record<string, string> = { [CE_TYPE_HEADER]: input.type };
    if (envelope.traceparent) headers['traceparent'] = envelope.traceparent;
    await tx.query(
      `INSERT INTO events_outbox (event_id, tenant_id, aggregate_id, sequence, subject, type, payload, headers, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [envelope.id, input.tenantId, input.aggregateId, sequence, subject, input.type, JSON.stringify(envelope), headers, envelope.time],
    );
    if (!this.notified.has(tx)) {
      this.notified.add(tx);
      await tx.query('SELECT pg_notify($1, $2)', [this.channel, this.options.source]);
      tx.afterCommit(() => {
        for (const wake of this.wakeListeners) wake();
      });
    }
    return envelope;
  }
}
