import { Inject, Injectable } from '@nestjs/common';
import { type Database, deleteInBatches, type Queryable, type Transaction } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import { AnalyticsStore } from '../../application/ports.js';
import { COUNTER_KEYS, zeroCounters, type AnalyticsFact, type Counters, type TenantTotals } from '../../domain/apply-rules.js';

/** Counter → column of `analytics_tenant_summary` (camelCase → snake_case). */
const COLUMN: Readonly<Record<keyof Counters, string>> = Object.fromEntries(
  COUNTER_KEYS.map((key) => [key, key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)]),
) as Record<keyof Counters, string>;

const counterColumns = COUNTER_KEYS.map((key) => COLUMN[key]);
const FACT_COLUMNS = ['event_id', 'tenant_id', 'event_type', 'aggregate_id', 'amount_cents', 'quantity', 'reason', 'occurred_at'] as const;
const FACT_TYPES = ['uuid', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'timestamptz'] as const;

// One round trip for any number of facts: insert the facts, and add the deltas of those that were
// new (a known event id moves no counter) to one shard of each tenant's summary, tenants in key
// order. Every array parameter holds one element per fact.
const APPLY_SQL = `
  WITH input AS (
    SELECT * FROM unnest(${[...FACT_TYPES, ...counterColumns.map(() => 'bigint')].map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
      AS i(${[...FACT_COLUMNS, ...counterColumns].join(', ')})
  ), fact AS (
    INSERT INTO analytics_facts (${FACT_COLUMNS.join(', ')})
    SELECT ${FACT_COLUMNS.join(', ')} FROM input
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, tenant_id, occurred_at
  ), summary AS (
    INSERT INTO analytics_tenant_summary AS s (tenant_id, shard, last_event_at, ${counterColumns.join(', ')})
    SELECT f.tenant_id, $${FACT_COLUMNS.length + counterColumns.length + 1}::smallint, max(f.occurred_at), ${counterColumns.map((column) => `sum(i.${column})::bigint`).join(', ')}
    FROM fact f JOIN input i ON i.event_id = f.event_id
    GROUP BY f.tenant_id
    ORDER BY f.tenant_id
    ON CONFLICT (tenant_id, shard) DO UPDATE SET
      ${counterColumns.map((column) => `${column} = s.${column} + EXCLUDED.${column}`).join(',\n      ')},
      last_event_at = GREATEST(s.last_event_at, EXCLUDED.last_event_at),
      updated_at = now()
    RETURNING 1
  )
  SELECT event_id::text AS event_id FROM fact`;

/**
 * Record several facts in one statement (a batch of events) and add the deltas of the new ones
 * to one summary shard per tenant: the shard of the first fact, so that concurrent batches of one
 * busy tenant spread over the shards while each locks a single row per tenant.
 *
 * @returns the facts that were new (their counters moved), in the order given.
 */
export async function applyFacts(tx: Queryable, facts: readonly AnalyticsFact[]): Promise<AnalyticsFact[]> {
  const unique = [...new Map(facts.map((fact) => [fact.eventId.toLowerCase(), fact])).values()];
  if (unique.length === 0) return [];
  const columns: unknown[][] = [...FACT_COLUMNS, ...counterColumns].map(() => []);
  for (const fact of unique) {
    const values = [fact.eventId, fact.tenantId, fact.eventType, fact.aggregateId, fact.amountCents, fact.quantity, fact.reason, fact.occurredAt, ...COUNTER_KEYS.map((key) => fact.deltas[key] ?? 0)];
    values.forEach((value, i) => columns[i]!.push(value));
  }
  const { rows } = await tx.query<{ event_id: string }>(APPLY_SQL, [...columns, shardOf(unique[0]!.eventId)]);
  const inserted = new Set(rows.map((row) => row.event_id));
  return unique.filter((fact) => inserted.has(fact.eventId.toLowerCase()));
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

/** Facts deleted per statement by {@link pruneFacts}. */
export const FACT_PRUNE_BATCH = 1000;

/**
 * Delete the facts applied before `olderThan`, `batch` per statement, until none is left or
 * `stop()` turns true; returns how many. Only facts: a summary counter moved once, in the
 * statement that inserted its fact, and is never recomputed from the facts, so deleting one
 * changes no counter. What a fact still does is make a second application of its event id a
 * no-op; the retention must outlast every way the same event can come back (see
 * `AnalyticsServiceConfig.ANALYTICS_FACT_RETENTION_MS`).
 */
export function pruneFacts(db: Queryable, olderThan: Date, stop?: () => boolean, batch = FACT_PRUNE_BATCH): Promise<number> {
  return deleteInBatches(
    batch,
    async (limit) =>
      (await db.query('DELETE FROM analytics_facts WHERE event_id IN (SELECT event_id FROM analytics_facts WHERE applied_at < $1 LIMIT $2)', [olderThan, limit])).rowCount,
    stop,
  );
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

/** The {@link AnalyticsStore} of the service: the statements above, reads on the service's database. */
@Injectable()
export class SqlAnalyticsStore implements AnalyticsStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  applyFacts(tx: Queryable, facts: readonly AnalyticsFact[]): Promise<AnalyticsFact[]> {
    return applyFacts(tx, facts);
  }

  tenantTotals(tenantId: string): Promise<TenantTotals> {
    return readTenantTotals(this.db, tenantId);
  }

  resetForRebuild(tx: Transaction): Promise<void> {
    return resetForRebuild(tx);
  }
}
