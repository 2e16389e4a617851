import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import type { Transaction } from '../storage/database.js';
import { subjectFor } from '../subjects/subjects.js';

/** Validates an event payload against its contract; throws InvalidEventError / UnknownEventTypeError. */
export interface EventValidator {
  validate(type: string, data: unknown): unknown;
}

/** A committed outbox row, as handed to the in-process relay. */
export interface OutboxRecord {
  readonly id: number;
  readonly eventId: string;
  readonly subject: string;
  readonly type: string;
  /** The encoded envelope, exactly as stored. */
  readonly payload: string;
  readonly headers: Readonly<Record<string, string>>;
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

const APPEND_CTE = `WITH next AS (
     INSERT INTO events_aggregate_sequences (tenant_id, aggregate_id, last_sequence) VALUES ($2, $3, 1)
     ON CONFLICT (tenant_id, aggregate_id)
     DO UPDATE SET last_sequence = events_aggregate_sequences.last_sequence + 1
     RETURNING last_sequence
   ), stored AS (
     INSERT INTO events_outbox (event_id, tenant_id, aggregate_id, sequence, subject, type, payload, headers, created_at)
     SELECT $1, $2, $3, next.last_sequence, $4, $5,
            substr($6::text, 1, length($6::text) - 1) || ',"sequence":' || next.last_sequence || '}', $7, $8
     FROM next
     RETURNING id, sequence
   )`;
const APPEND_SQL = `${APPEND_CTE} SELECT id, sequence FROM stored`;
/** Delivered at commit (never on rollback); several in one transaction are delivered once. */
const APPEND_AND_NOTIFY_SQL = `${APPEND_CTE} SELECT id, sequence, pg_notify($9, $10)::text AS notified FROM stored`;

/**
 * The write side of the transactional outbox. `append` validates the event, assigns the next
 * per-aggregate `sequence` and stores the envelope in the caller's transaction: the event exists
 * if and only if the state change commits. The relay publishes it afterwards.
 */
export class Outbox {
  private readonly channel: string;
  private readonly commitListeners = new Set<(records: readonly OutboxRecord[]) => void>();
  private readonly appended = new WeakMap<Transaction, OutboxRecord[]>();

  constructor(private readonly options: OutboxOptions) {
    this.channel = options.notifyChannel ?? DEFAULT_OUTBOX_CHANNEL;
  }

  get notifyChannel(): string {
    return this.channel;
  }

  get source(): string {
    return this.options.source;
  }

  /**
   * Called by the in-process relay while it leads: `fn` receives, after every commit that
   * appended events, the committed rows in append order (so it can publish them without reading
   * them back). Returns an unsubscribe function.
   */
  onCommit(fn: (records: readonly OutboxRecord[]) => void): () => void {
    this.commitListeners.add(fn);
    return () => this.commitListeners.delete(fn);
  }

  /**
   * Record `input` in `tx`. Throws InvalidEventError (nothing is written) when the payload
   * breaks its contract. Sequence allocation takes a row lock on the aggregate, so concurrent
   * transactions on one aggregate commit their events in sequence order.
   */
  async append<Data>(tx: Transaction, input: OutboxEventInput<Data>): Promise<EventEnvelope<Data>> {
    this.options.validator.validate(input.type, input.data);
    const subject = subjectFor(input.type, input.tenantId);
    // Built with a placeholder sequence: the real one is allocated by the insert below.
    const draft = createEnvelope<Data & object>({
      source: this.options.source,
      type: input.type,
      subject: input.aggregateId,
      tenantId: input.tenantId,
      sequence: 1,
      data: input.data as Data & object,
      correlationId: input.correlationId,
      causationId: input.causationId,
      traceparent: input.traceparent,
    }) as EventEnvelope<Data>;
    // CloudEvents type as a header too, so tools and metrics can route without parsing the body.
    const headers: Record<string, string> = { [CE_TYPE_HEADER]: input.type };
    if (draft.traceparent) headers['traceparent'] = draft.traceparent;
    // One round trip: take the aggregate's next sequence (a row lock held to commit, so concurrent
    // transactions on one aggregate get 1, 2, 3 … in commit order) and store the envelope with it.
    // The stored payload is the envelope's JSON with `"sequence":n` appended, built here exactly
    // as the statement builds it: nothing but the id and the sequence comes back. The first
    // append of a transaction also queues the NOTIFY for relays in other processes, in the same
    // statement — unless a relay leads in this process (it gets the rows after commit).
    const unsequenced = JSON.stringify({ ...draft, sequence: undefined });
    const notify = !this.appended.has(tx) && this.commitListeners.size === 0;
    const params = [draft.id, input.tenantId, input.aggregateId, subject, input.type, unsequenced, headers, draft.time];
    const { rows } = await (notify
      ? tx.query<{ id: number; sequence: number }>(APPEND_AND_NOTIFY_SQL, [...params, this.channel, this.options.source])
      : tx.query<{ id: number; sequence: number }>(APPEND_SQL, params));
    const row = rows[0]!;
    const envelope = { ...draft, sequence: row.sequence };
    const payload = `${unsequenced.slice(0, -1)},"sequence":${row.sequence}}`;
    const record: OutboxRecord = { id: row.id, eventId: draft.id, subject, type: input.type, payload, headers };
    let records = this.appended.get(tx);
    if (!records) {
      records = [];
      this.appended.set(tx, records);
      const committed = records;
      tx.afterCommit(() => {
        for (const listener of this.commitListeners) listener(committed);
      });
    }
    records.push(record);
    return envelope;
  }
}
