import type { Transaction } from '../storage/database.js';
import { deleteInBatches } from '../util/delete-in-batches.js';

/**
 * How a consumer uses the per-aggregate `sequence`:
 * - `strict`: the consumer sees every event of the aggregates it handles (its filter covers the
 *   producer's whole domain); an event that arrives before its predecessor is held back
 *   (redelivered later) until the predecessor is applied, and older ones are dropped as stale.
 * - `drop-stale`: the consumer sees only some event types, so gaps are normal; events older than
 *   the last applied one are dropped, newer ones applied at once.
 * - `none`: no sequence bookkeeping.
 */
export const OrderingMode = { Strict: 'strict', DropStale: 'drop-stale', None: 'none' } as const;
export type OrderingMode = (typeof OrderingMode)[keyof typeof OrderingMode];

export interface AggregateKey {
  readonly consumer: string;
  readonly source: string;
  readonly tenantId: string;
  readonly aggregateId: string;
}

export type SequenceVerdict = 'apply' | 'stale' | 'early';
export type InboxVerdict = SequenceVerdict | 'duplicate';

/**
 * One round trip for the common path: record the event in the inbox, lock and read the
 * aggregate's last applied sequence, and move it forward to `sequence` (never back). The caller
 * rolls the transaction back on `early` (nothing of it may persist) and commits otherwise: for
 * `duplicate` and `stale` the sequence write is a no-op (GREATEST), for `apply` it is the advance.
 */
export async function claimAndSequence(
  tx: Transaction,
  key: AggregateKey,
  eventId: string,
  eventType: string,
  sequence: number,
  mode: OrderingMode,
): Promise<InboxVerdict> {
  if (mode === OrderingMode.None) {
    return (await claimInbox(tx, key.consumer, eventId, eventType)) ? 'apply' : 'duplicate';
  }
  const { rows } = await tx.query<{ claimed: number; last: number | null }>(
    `WITH previous AS (
       SELECT last_sequence FROM events_consumer_sequences
       WHERE consumer = $1 AND source = $4 AND tenant_id = $5 AND aggregate_id = $6 FOR UPDATE
     ), claimed AS (
       INSERT INTO events_inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1
     ), advanced AS (
       INSERT INTO events_consumer_sequences (consumer, source, tenant_id, aggregate_id, last_sequence)
       VALUES ($1, $4, $5, $6, $7)
       ON CONFLICT (consumer, source, tenant_id, aggregate_id)
       DO UPDATE SET last_sequence = GREATEST(events_consumer_sequences.last_sequence, EXCLUDED.last_sequence), updated_at = now()
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT last_sequence FROM previous) AS last,
            (SELECT count(*) FROM advanced)::int AS advanced`,
    [key.consumer, eventId, eventType, key.source, key.tenantId, key.aggregateId, sequence],
  );
  const row = rows[0]!;
  if (row.claimed === 0) return 'duplicate';
  const last = row.last ?? 0;
  if (sequence <= last) return 'stale';
  if (mode === OrderingMode.Strict && sequence > last + 1) return 'early';
  return 'apply';
}

/**
 * Record `eventId` as received by `consumer`. Returns false when it already was: the event was
 * applied before (the inbox is written in the same transaction as the handler's effects).
 */
export async function claimInbox(tx: Transaction, consumer: string, eventId: string, eventType: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    'INSERT INTO events_inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [consumer, eventId, eventType],
  );
  return rowCount === 1;
}

/** Move the aggregate's last applied sequence forward (never back). */
export async function advanceSequence(tx: Transaction, key: AggregateKey, sequence: number): Promise<void> {
  await tx.query(
    `INSERT INTO events_consumer_sequences (consumer, source, tenant_id, aggregate_id, last_sequence)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (consumer, source, tenant_id, aggregate_id)
     DO UPDATE SET last_sequence = GREATEST(events_consumer_sequences.last_sequence, EXCLUDED.last_sequence), updated_at = now()`,
    [key.consumer, key.source, key.tenantId, key.aggregateId, sequence],
  );
}

/** Rows deleted per statement by {@link pruneSequences} and {@link pruneInbox} (bounded locks and statement time). */
export const SEQUENCE_PRUNE_BATCH = 1000;

/**
 * Delete the sequence rows last written (inserted or advanced) before `olderThan`, `batch` rows
 * per statement until none is left; returns how many. Such an aggregate's next event arrives
 * with no row: see `BatchDependencies.finalDeferral` for how `strict` ordering treats it. The
 * outer `updated_at` test is evaluated again on a row a running batch had locked and advanced
 * meanwhile (the DELETE waited for its lock), so a row just advanced is kept.
 */
export function pruneSequences(db: Pick<Transaction, 'query'>, olderThan: Date, batch = SEQUENCE_PRUNE_BATCH): Promise<number> {
  return deleteInBatches(batch, async (limit) => {
    const { rowCount } = await db.query(
      `DELETE FROM events_consumer_sequences
       WHERE (consumer, source, tenant_id, aggregate_id) IN (
         SELECT consumer, source, tenant_id, aggregate_id FROM events_consumer_sequences WHERE updated_at < $1 LIMIT $2
       ) AND updated_at < $1`,
      [olderThan, limit],
    );
    return rowCount;
  });
}

/** Delete inbox rows received before `olderThan` (beyond any possible redelivery), `batch` rows per statement. */
export function pruneInbox(db: Pick<Transaction, 'query'>, olderThan: Date, batch = SEQUENCE_PRUNE_BATCH): Promise<number> {
  return deleteInBatches(batch, async (limit) => {
    const { rowCount } = await db.query(
      'DELETE FROM events_inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM events_inbox WHERE received_at < $1 LIMIT $2)',
      [olderThan, limit],
    );
    return rowCount;
  });
}

/** What one batch's claim tells: the event ids newly recorded, and each aggregate's last applied sequence. */
export interface BatchClaim {
  readonly claimed: ReadonlySet<string>;
  /** By {@link aggregateKeyString}; absent when the aggregate has no sequence row (none yet, or pruned: last = 0). */
  readonly lastSequences: ReadonlyMap<string, number>;
}

/** The map key of an aggregate (`source/tenant/aggregate`), also the order in which a batch locks them. */
export function aggregateKeyString(key: Pick<AggregateKey, 'source' | 'tenantId' | 'aggregateId'>): string {
  return `${key.source}/${key.tenantId}/${key.aggregateId}`;
}

/**
 * One round trip for a whole batch: record every event id in the inbox (`ON CONFLICT DO NOTHING`:
 * an id already there is a duplicate) and lock and read the last applied sequence of every
 * aggregate of the batch, in key order (two batches lock shared rows in the same order). The
 * caller deletes the claims of events it did not apply in {@link finalizeBatch}, before commit.
 */
export async function claimBatch(
  tx: Transaction,
  consumer: string,
  events: ReadonlyArray<{ readonly eventId: string; readonly eventType: string; readonly key: AggregateKey }>,
  mode: OrderingMode,
): Promise<BatchClaim> {
  const ids: string[] = [];
  const types: string[] = [];
  for (const event of events) {
    ids.push(event.eventId);
    types.push(event.eventType);
  }
  if (mode === OrderingMode.None) {
    const { rows } = await tx.query<{ event_id: string }>(
      `INSERT INTO events_inbox (consumer, event_id, event_type)
       SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) AS e(id, type) ORDER BY e.id
       ON CONFLICT DO NOTHING RETURNING event_id::text`,
      [consumer, ids, types],
    );
    return { claimed: new Set(rows.map((row) => row.event_id)), lastSequences: new Map() };
  }
  const keys = new Map<string, AggregateKey>();
  for (const event of events) keys.set(aggregateKeyString(event.key), event.key);
  const sources: string[] = [];
  const tenants: string[] = [];
  const aggregates: string[] = [];
  for (const key of keys.values()) {
    sources.push(key.source);
    tenants.push(key.tenantId);
    aggregates.push(key.aggregateId);
  }
  const { rows } = await tx.query<{ event_id: string | null; source: string | null; tenant_id: string | null; aggregate_id: string | null; last_sequence: number | null }>(
    `WITH claimed AS (
       INSERT INTO events_inbox (consumer, event_id, event_type)
       SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) AS e(id, type) ORDER BY e.id
       ON CONFLICT DO NOTHING RETURNING event_id
     ), previous AS (
       SELECT s.source, s.tenant_id, s.aggregate_id, s.last_sequence
       FROM events_consumer_sequences s
       JOIN unnest($4::text[], $5::text[], $6::text[]) AS k(source, tenant_id, aggregate_id)
         ON s.source = k.source AND s.tenant_id = k.tenant_id AND s.aggregate_id = k.aggregate_id
       WHERE s.consumer = $1
       ORDER BY s.source, s.tenant_id, s.aggregate_id
       FOR UPDATE OF s
     )
     SELECT event_id::text AS event_id, NULL::text AS source, NULL::text AS tenant_id, NULL::text AS aggregate_id, NULL::bigint AS last_sequence FROM claimed
     UNION ALL
     SELECT NULL, source, tenant_id, aggregate_id, last_sequence FROM previous`,
    [consumer, ids, types, sources, tenants, aggregates],
  );
  const claimed = new Set<string>();
  const lastSequences = new Map<string, number>();
  for (const row of rows) {
    if (row.event_id !== null) claimed.add(row.event_id);
    else lastSequences.set(aggregateKeyString({ source: row.source!, tenantId: row.tenant_id!, aggregateId: row.aggregate_id! }), Number(row.last_sequence));
  }
  return { claimed, lastSequences };
}

/**
 * One round trip at the end of a batch: move the aggregates that advanced forward (never back)
 * and delete the inbox claims of the events that were not applied (retried, held back,
 * dead-lettered), so that their next delivery or a redrive is not taken for a duplicate.
 */
export async function finalizeBatch(
  tx: Transaction,
  consumer: string,
  advanced: ReadonlyArray<{ readonly key: AggregateKey; readonly sequence: number }>,
  released: readonly string[],
): Promise<void> {
  if (advanced.length === 0 && released.length === 0) return;
  const sources: string[] = [];
  const tenants: string[] = [];
  const aggregates: string[] = [];
  const sequences: number[] = [];
  for (const { key, sequence } of advanced) {
    sources.push(key.source);
    tenants.push(key.tenantId);
    aggregates.push(key.aggregateId);
    sequences.push(sequence);
  }
  await tx.query(
    `WITH advanced AS (
       INSERT INTO events_consumer_sequences (consumer, source, tenant_id, aggregate_id, last_sequence)
       SELECT $1, a.source, a.tenant_id, a.aggregate_id, a.last_sequence
       FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS a(source, tenant_id, aggregate_id, last_sequence)
       ORDER BY a.source, a.tenant_id, a.aggregate_id
       ON CONFLICT (consumer, source, tenant_id, aggregate_id)
       DO UPDATE SET last_sequence = GREATEST(events_consumer_sequences.last_sequence, EXCLUDED.last_sequence), updated_at = now()
       RETURNING 1
     ), released AS (
       DELETE FROM events_inbox WHERE consumer = $1 AND event_id = ANY($6::uuid[]) RETURNING 1
     )
     SELECT (SELECT count(*) FROM advanced)::int AS advanced, (SELECT count(*) FROM released)::int AS released`,
    [consumer, sources, tenants, aggregates, sequences, released],
  );
}
