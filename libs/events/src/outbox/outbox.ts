import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import type { Transaction } from '../storage/database.js';

/** What the outbox needs of the contracts (an `EventRegistry` is one). */
export interface EventValidator {
  /** Validates an event payload against its contract; throws InvalidEventError / UnknownEventTypeError. */
  validate(type: string, data: unknown): unknown;
  /** The subject an event of `type` for `tenant` is published on. */
  subjectOf(type: string, tenant: string): string;
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

/**
 * One statement for every event a transaction appended (in append order): take each aggregate's
 * next sequences (a row lock held to commit, aggregates in key order, so concurrent transactions
 * on one aggregate get 1, 2, 3 … in commit order and never deadlock on them), store the envelopes
 * with their sequences in append order (ids ascending), and give back id and sequence per event.
 */
const APPEND_CTE = `WITH input AS (
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       WITH ORDINALITY AS i(event_id, tenant_id, aggregate_id, subject, type, unsequenced, headers, created_at, n)
   ), counts AS (
     SELECT tenant_id, aggregate_id, count(*)::bigint AS appended FROM input GROUP BY tenant_id, aggregate_id
   ), next AS (
     INSERT INTO events_aggregate_sequences AS s (tenant_id, aggregate_id, last_sequence)
     SELECT tenant_id, aggregate_id, appended FROM counts ORDER BY tenant_id, aggregate_id
     ON CONFLICT (tenant_id, aggregate_id) DO UPDATE SET last_sequence = s.last_sequence + EXCLUDED.last_sequence
     RETURNING tenant_id, aggregate_id, last_sequence
   ), numbered AS (
     SELECT i.*, next.last_sequence - counts.appended + row_number() OVER (PARTITION BY i.tenant_id, i.aggregate_id ORDER BY i.n) AS sequence
     FROM input i
     JOIN next ON next.tenant_id = i.tenant_id AND next.aggregate_id = i.aggregate_id
     JOIN counts ON counts.tenant_id = i.tenant_id AND counts.aggregate_id = i.aggregate_id
   ), stored AS (
     INSERT INTO events_outbox (event_id, tenant_id, aggregate_id, sequence, subject, type, payload, headers, created_at)
     SELECT event_id, tenant_id, aggregate_id, sequence, subject, type,
            substr(unsequenced, 1, length(unsequenced) - 1) || ',"sequence":' || sequence || '}', headers::jsonb, created_at
     FROM numbered ORDER BY n
     RETURNING id, event_id, sequence
   )`;
const APPEND_SQL = `${APPEND_CTE} SELECT id, event_id::text AS event_id, sequence FROM stored`;
/** NOTIFY is delivered at commit (never on rollback); several in one transaction are delivered once. */
const APPEND_AND_NOTIFY_SQL = `${APPEND_CTE} SELECT s.id, s.event_id::text AS event_id, s.sequence, n.notified FROM stored s, (SELECT pg_notify($9, $10)::text AS notified) n`;

/** An appended event waiting for its transaction's commit. */
interface PendingEvent {
  readonly eventId: string;
  readonly tenantId: string;
  readonly aggregateId: string;
  readonly subject: string;
  readonly type: string;
  /** The envelope's JSON without `sequence`; the statement appends `"sequence":n`. */
  readonly unsequenced: string;
  readonly headers: Record<string, string>;
  readonly time: string;
}

/**
 * The write side of the transactional outbox. `append` validates the event and records it in the
 * caller's transaction; just before that transaction commits, every event it appended is stored
 * in one statement that also assigns each its per-aggregate `sequence`: the events exist if and
 * only if the state change commits. The relay publishes them afterwards.
 */
export class Outbox {
  private readonly channel: string;
  private readonly commitListeners = new Set<(records: readonly OutboxRecord[]) => void>();
  /** Events appended through a transaction (or one message's scope of a batch), not yet staged. */
  private readonly appended = new WeakMap<Transaction, PendingEvent[]>();
  /** Events of a root transaction's kept scopes, stored by its one statement before commit. */
  private readonly staged = new WeakMap<Transaction, PendingEvent[]>();

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
   * Record `input` in `tx`. Throws InvalidEventError (nothing is recorded) when the payload
   * breaks its contract. The row is written just before `tx` commits, together with every other
   * event of the transaction, and gets the next `sequence` of its aggregate then (a row lock on
   * the aggregate, so concurrent transactions on one aggregate commit their events in sequence
   * order). Appended through one message's scope of a batch, it is stored only when that
   * message's work is kept (see `MessageScope`).
   */
  async append<Data>(tx: Transaction, input: OutboxEventInput<Data>): Promise<void> {
    this.options.validator.validate(input.type, input.data);
    const subject = this.options.validator.subjectOf(input.type, input.tenantId);
    // Built with a placeholder sequence: the real one is allocated by the statement.
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
    const pending: PendingEvent = {
      eventId: draft.id,
      tenantId: input.tenantId,
      aggregateId: input.aggregateId,
      subject,
      type: input.type,
      unsequenced: JSON.stringify({ ...draft, sequence: undefined }),
      headers,
      time: draft.time,
    };
    let events = this.appended.get(tx);
    if (!events) {
      events = [];
      this.appended.set(tx, events);
      tx.beforeCommit(() => this.stage(tx));
    }
    events.push(pending);
  }

  /** Before commit: move `tx`'s events to its root transaction, whose one statement stores them all. */
  private async stage(tx: Transaction): Promise<void> {
    const events = this.appended.get(tx) ?? [];
    this.appended.delete(tx);
    const root = tx.root ?? tx;
    let staged = this.staged.get(root);
    if (!staged) {
      staged = [];
      this.staged.set(root, staged);
      // Registered while the before-commit callbacks run: it runs after every scope has staged.
      root.beforeCommit(() => this.store(root));
    }
    staged.push(...events);
  }

  private async store(root: Transaction): Promise<void> {
    const events = this.staged.get(root) ?? [];
    this.staged.delete(root);
    if (events.length === 0) return;
    const columns: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const e of events) {
      columns[0]!.push(e.eventId);
      columns[1]!.push(e.tenantId);
      columns[2]!.push(e.aggregateId);
      columns[3]!.push(e.subject);
      columns[4]!.push(e.type);
      columns[5]!.push(e.unsequenced);
      columns[6]!.push(JSON.stringify(e.headers));
      columns[7]!.push(e.time);
    }
    // A leading relay in this process gets the rows after commit; relays elsewhere need NOTIFY.
    const notify = this.commitListeners.size === 0;
    const { rows } = await (notify
      ? root.query<{ id: number; event_id: string; sequence: number }>(APPEND_AND_NOTIFY_SQL, [...columns, this.channel, this.options.source])
      : root.query<{ id: number; event_id: string; sequence: number }>(APPEND_SQL, columns));
    const stored = new Map(rows.map((row) => [row.event_id, row]));
    // The stored payload is the envelope's JSON with `"sequence":n` appended, built here exactly as
    // the statement builds it: nothing but the id and the sequence comes back.
    const records: OutboxRecord[] = events.map((e) => {
      const row = stored.get(e.eventId.toLowerCase())!;
      return { id: row.id, eventId: e.eventId, subject: e.subject, type: e.type, payload: `${e.unsequenced.slice(0, -1)},"sequence":${row.sequence}}`, headers: e.headers };
    });
    root.afterCommit(() => {
      for (const listener of this.commitListeners) listener(records);
    });
  }
}
