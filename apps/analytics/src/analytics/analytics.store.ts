import type { Queryable, Transaction } from '@platform/events';
import { COUNTER_KEYS, zeroCounters, type AnalyticsFact, type Counters, type TenantTotals } from './apply-rules.js';

/** Counter → column of `analytics_tenant_summary` (camelCase → snake_case). */
const COLUMN: Readonly<Record<keyof Counters, string>> = Object.fromEntries(
  COUNTER_KEYS.map((key) => [key, key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)]),
) as Record<keyof Counters, string>;

const FACT_PARAMS = 8;
const counterColumns = COUNTER_KEYS.map((key) => COLUMN[key]);

// One round trip: the fact insert and the summary upsert in one statement; the upsert sees a row
// only when the insert inserted one, so a known event id moves no counter.
const APPLY_SQL = `
  WITH fact AS (
    INSERT INTO analytics_facts (event_id, tenant_id, event_type, aggregate_id, amount_cents, quantity, reason, occurred_at)
    VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::text, $8::timestamptz)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING tenant_id, occurred_at
  )
  INSERT INTO analytics_tenant_summary AS s (tenant_id, shard, last_event_at, ${counterColumns.join(', ')})
  SELECT tenant_id, $${FACT_PARAMS + 1 + COUNTER_KEYS.length}::smallint, occurred_at, ${counterColumns.map((_, i) => `$${FACT_PARAMS + 1 + i}::bigint`).join(', ')} FROM fact
  ON CONFLICT (tenant_id, shard) DO UPDATE SET
    ${counterColumns.map((column) => `${column} = s.${column} + EXCLUDED.${column}`).join(',\n    ')},
    last_event_at = GREATEST(s.last_event_at, EXCLUDED.last_event_at),
    updated_at = now()
  RETURNING s.tenant_id`;

/**
 * Record `fact` and add its deltas to its tenant's summary, unless a fact with the same event id
 * exists. Run it in the transaction of the message (live) or of the replay.
 *
 * @returns true when the fact was new and the counters moved; false for a known event id.
 */
export async function applyFact(tx: Queryable, fact: AnalyticsFact): Promise<boolean> {
  const params: unknown[] = [
    fact.eventId,
    fact.tenantId,
    fact.eventType,
    fact.aggregateId,
    fact.amountCents,
    fact.quantity,
    fact.reason,
    fact.occurredAt,
    ...COUNTER_KEYS.map((key) => fact.deltas[key] ?? 0),
    shardOf(fact.eventId),
  ];
  const result = await tx.query(APPLY_SQL, params);
  return result.rowCount === 1;
}

/** Summary shard of an event: the last hex digit of its id (random bits in a UUIDv7), 0–15. */
export function shardOf(eventId: string): number {
  const shard = Number.parseInt(eventId.slice(-1), 16);
  return Number.isNaN(shard) ? 0 : shard;
}

type SummaryRow = Record<string, unknown> & { last_event_at: Date | string | null };

/** A tenant's counters and latest event time; zeros and null when it has none (its shards, by primary key). */
export async function readTenantTotals(db: Queryable, tenantId: string): Promise<TenantTotals> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT count(*) AS shards, ${counterColumns.map((column) => `coalesce(sum(${column}), 0) AS ${column}`).join(', ')}, max(last_event_at) AS last_event_at
     FROM analytics_tenant_summary WHERE tenant_id = $1`,
    [tenantId],
  );
  const row = rows[0];
  if (!row || Number(row['shards']) === 0) return { counters: zeroCounters(), lastEventAt: null };
  const counters = zeroCounters();
  for (const key of COUNTER_KEYS) counters[key] = Number(row[COLUMN[key]]);
  const last = row.last_event_at;
  return { counters, lastEventAt: last === null ? null : new Date(last).toISOString() };
}

/**
 * Block writers of the analytics tables until `tx` ends (readers go on seeing the committed
 * state), then delete every fact and summary. Used by the replay: a live handler that commits
 * nothing until the replay has committed cannot have its fact deleted by it.
 */
export async function resetForRebuild(tx: Transaction): Promise<void> {
  await tx.query('LOCK TABLE analytics_facts, analytics_tenant_summary IN EXCLUSIVE MODE');
  await tx.query('DELETE FROM analytics_facts');
  await tx.query('DELETE FROM analytics_tenant_summary');
}
