import { createEnvelope, type Database, type EventEnvelope, migrate } from '@platform/events';
import { type PlatformEventType, platformExamplePayloads } from '@platform/contracts';
import { testDatabaseEngines } from '@platform/events/testing';
import { loadConfig } from '@platform/service-kit';
import { loadConfigError } from '@platform/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnalyticsServiceConfig } from '../../config.js';
import { analyticsMigrations } from './analytics.migrations.js';
import { applyFacts, pruneFacts, readTenantTotals } from './analytics.store.js';
import { factOf } from '../../domain/apply-rules.js';
import { FactRetentionSweeper } from './fact-retention.sweeper.js';

const DAY = 86_400_000;

function envelope<Type extends PlatformEventType>(type: Type, tenantId = 'acme'): EventEnvelope {
  return createEnvelope({ type, data: platformExamplePayloads[type], source: type.split('.')[0]!, subject: `agg-${randomUUID()}`, tenantId, sequence: 1 });
}

describe('ANALYTICS_FACT_RETENTION_MS', () => {
  it('defaults to 45 days and is at least the sequence retention', () => {
    expect(loadConfig(AnalyticsServiceConfig, {}).ANALYTICS_FACT_RETENTION_MS).toBe(45 * DAY);
    const error = loadConfigError(AnalyticsServiceConfig, { ANALYTICS_FACT_RETENTION_MS: String(30 * DAY) });
    expect(error.key).toBe('ANALYTICS_FACT_RETENTION_MS');
    expect(error.message).toContain('must be at least EVENTS_SEQUENCE_RETENTION_MS');
    expect(loadConfig(AnalyticsServiceConfig, { ANALYTICS_FACT_RETENTION_MS: String(2 * DAY), EVENTS_INBOX_RETENTION_MS: String(DAY), EVENTS_SEQUENCE_RETENTION_MS: String(DAY) }).ANALYTICS_FACT_RETENTION_MS).toBe(2 * DAY);
  });
});

const engines = testDatabaseEngines('analytics-retention');

describe.each(engines)('analytics fact retention on %s', (_engine, open) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ db, cleanup } = await open());
    await migrate(db, 'analytics', analyticsMigrations);
  });

  afterEach(async () => {
    await cleanup();
  });

  const age = (events: readonly EventEnvelope[], days: number) =>
    db.query('UPDATE analytics_facts SET applied_at = now() - make_interval(days => $2) WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.id), days]);
  const factIds = async () => (await db.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM analytics_facts ORDER BY event_id')).rows.map((r) => r.event_id);

  it('deletes only the facts applied before the retention, in batches, and no counter moves', async () => {
    const old = [envelope('order.created.v3'), envelope('payment.captured.v1'), envelope('order.confirmed.v1'), envelope('order.created.v3', 'globex')];
    const recent = [envelope('order.cancelled.v1'), envelope('loyalty.points-awarded.v1')];
    await db.transaction(async (tx) => void (await applyFacts(tx, [...old, ...recent].map(factOf))));
    await age(old, 46);
    await age(recent.slice(0, 1), 44);
    const acme = await readTenantTotals(db, 'acme');
    const globex = await readTenantTotals(db, 'globex');
    expect(acme.counters.ordersCreated).toBe(1);

    const sweeper = new FactRetentionSweeper(db, loadConfig(AnalyticsServiceConfig, {}));
    expect(await sweeper.sweep()).toBe(4);
    expect(await factIds()).toEqual(recent.map((e) => e.id).sort());
    // the summaries are the same to the last counter and timestamp
    expect(await readTenantTotals(db, 'acme')).toEqual(acme);
    expect(await readTenantTotals(db, 'globex')).toEqual(globex);
    expect(await sweeper.sweep()).toBe(0);
  });

  it('prunes in bounded statements until none is left, and stops between batches when told to', async () => {
    const events = Array.from({ length: 5 }, () => envelope('inventory.reserved.v1'));
    await db.transaction(async (tx) => void (await applyFacts(tx, events.map(factOf))));
    await age(events, 50);
    expect(await pruneFacts(db, new Date(Date.now() - 45 * DAY), () => true, 2)).toBe(2);
    expect(await pruneFacts(db, new Date(Date.now() - 45 * DAY), undefined, 2)).toBe(3);
    expect(await factIds()).toEqual([]);
  });

  it('keeps a retained fact making a second application of its event a no-op', async () => {
    const event = envelope('payment.captured.v1');
    await db.transaction(async (tx) => void (await applyFacts(tx, [factOf(event)])));
    await age([event], 44);
    const before = await readTenantTotals(db, 'acme');
    expect(await new FactRetentionSweeper(db, loadConfig(AnalyticsServiceConfig, {})).sweep()).toBe(0);
    // a redrive or a live delivery after a rebuild: the fact is there, nothing is counted twice
    expect(await db.transaction((tx) => applyFacts(tx, [factOf(event)]))).toEqual([]);
    expect(await readTenantTotals(db, 'acme')).toEqual(before);
  });
});
