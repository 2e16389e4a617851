import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventsMetrics } from '../metrics/events.metrics.js';
import { silentLogger } from '../util/logger.js';
import { FakeOutboxDatabase, type FakeOutboxRow } from './outbox.fakes.js';
import { OutboxHousekeeping } from './outbox.housekeeping.js';

const NOW = new Date('2030-01-10T12:00:00Z').getTime();
const DAY = 24 * 3600_000;

describe('OutboxHousekeeping', () => {
  let db: FakeOutboxDatabase;
  let registry: Registry;
  let warnings: string[];
  let housekeeping: OutboxHousekeeping;

  const row = (id: number, createdAgoMs: number, publishedAgoMs: number | null): FakeOutboxRow => ({
    id,
    eventId: `e-${id}`,
    subject: 'orders.acme.created',
    payload: '{}',
    headers: '{}',
    createdAt: new Date(NOW - createdAgoMs),
    publishedAt: publishedAgoMs === null ? null : new Date(NOW - publishedAgoMs),
    attempts: 0,
    lastError: null,
    requeues: 0,
  });
  const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
    db = new FakeOutboxDatabase();
    registry = new Registry();
    warnings = [];
    const logger = { ...silentLogger, warn: (_fields: object, msg?: string) => void warnings.push(msg ?? '') };
    housekeeping = new OutboxHousekeeping({ db, retentionMs: 7 * DAY, intervalMs: 5000, metrics: new EventsMetrics(registry), logger });
  });

  afterEach(() => vi.useRealTimers());

  it('deletes the rows published longer ago than the retention and keeps the others', async () => {
    db.rows.push(row(1, 9 * DAY, 8 * DAY), row(2, 9 * DAY, 3600_000), row(3, 9 * DAY, null));
    await housekeeping.runIfDue();
    expect(db.rows.map((r) => r.id)).toEqual([2, 3]);
  });

  it('sets the backlog gauges: the pending rows and the age of the oldest, seconds', async () => {
    db.rows.push(row(1, 60_000, 1000), row(2, 30_000, null), row(3, 10_000, null));
    await housekeeping.runIfDue();
    expect(await gauge('events_outbox_pending_rows')).toBe(2);
    expect(await gauge('events_outbox_relay_lag_seconds')).toBe(30);
  });

  it('runs at most once per interval', async () => {
    const rounds = () => db.statements.filter((s) => s.sql.startsWith('DELETE')).length;
    await housekeeping.runIfDue();
    vi.advanceTimersByTime(4999);
    await housekeeping.runIfDue();
    expect(rounds()).toBe(1);
    vi.advanceTimersByTime(1);
    await housekeeping.runIfDue();
    expect(rounds()).toBe(2);
  });

  it('logs a failed round instead of throwing, and tries again after the interval', async () => {
    db.failNext(/^DELETE/);
    await housekeeping.runIfDue();
    expect(warnings).toEqual(['outbox relay: housekeeping failed']);
    db.rows.push(row(1, 10_000, null));
    vi.advanceTimersByTime(5000);
    await housekeeping.runIfDue();
    expect(await gauge('events_outbox_pending_rows')).toBe(1);
  });

  it('reports no backlog as zero rows of age zero', async () => {
    expect(await housekeeping.backlog()).toEqual({ pending: 0, oldestAgeSeconds: 0 });
  });
});
