import type { Transaction } from '../storage/database.js';

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
       DO UPDATE SET last_sequence = GREATEST(events_consumer_sequences.last_sequence, EXCLUDED.last_sequence)
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
     DO UPDATE SET last_sequence = GREATEST(events_consumer_sequences.last_sequence, EXCLUDED.last_sequence)`,
    [key.consumer, key.source, key.tenantId, key.aggregateId, sequence],
  );
}

/** Delete inbox rows received before `olderThan` (beyond any possible redelivery). */
export async function pruneInbox(tx: Pick<Transaction, 'query'>, olderThan: Date): Promise<number> {
  const { rowCount } = await tx.query('DELETE FROM events_inbox WHERE received_at < $1', [olderThan]);
  return rowCount;
}
