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

/** Compare `sequence` with the aggregate's last applied one; locks the aggregate's row until commit. */
export async function checkSequence(
  tx: Transaction,
  key: AggregateKey,
  sequence: number,
  mode: OrderingMode,
): Promise<SequenceVerdict> {
  if (mode === OrderingMode.None) return 'apply';
  const { rows } = await tx.query<{ last_sequence: number }>(
    `SELECT last_sequence FROM events_consumer_sequences
     WHERE consumer = $1 AND source = $2 AND tenant_id = $3 AND aggregate_id = $4 FOR UPDATE`,
    [key.consumer, key.source, key.tenantId, key.aggregateId],
  );
  const last = rows[0]?.last_sequence ?? 0;
  if (sequence <= last) return 'stale';
  if (mode === OrderingMode.Strict && sequence > last + 1) return 'early';
  return 'apply';
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
