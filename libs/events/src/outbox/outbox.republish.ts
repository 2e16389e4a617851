import type { Database } from '../storage/database.js';
import { DEFAULT_OUTBOX_CHANNEL } from './outbox.js';

/** Which published outbox rows to publish again. At least one bound is required. */
export interface RepublishRange {
  /** First outbox row id (inclusive). */
  readonly fromId?: number;
  /** Last outbox row id (inclusive). */
  readonly toId?: number;
  /** Rows created at or after this time. */
  readonly from?: Date;
  /** Rows created before this time. */
  readonly to?: Date;
}

/**
 * Mark published rows of a range pending again and notify the relays, which publish them once
 * more (recovery after a broker lost its data; rows are kept for the retention period).
 * Consumers de-duplicate by event id in their inbox. Returns the number of rows re-queued.
 */
export async function republishRange(db: Database, range: RepublishRange, channel = DEFAULT_OUTBOX_CHANNEL): Promise<number> {
  if (range.fromId === undefined && range.toId === undefined && range.from === undefined && range.to === undefined) {
    throw new RangeError('republishRange needs at least one of fromId, toId, from, to');
  }
  return db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      `UPDATE events_outbox SET published_at = NULL
       WHERE published_at IS NOT NULL
         AND ($1::bigint IS NULL OR id >= $1) AND ($2::bigint IS NULL OR id <= $2)
         AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)`,
      [range.fromId ?? null, range.toId ?? null, range.from ?? null, range.to ?? null],
    );
    await tx.query('SELECT pg_notify($1, $2)', [channel, 'republish']);
    return rowCount;
  });
}
