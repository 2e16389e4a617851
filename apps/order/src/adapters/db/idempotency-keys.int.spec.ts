import { type Database, migrate } from '@platform/events';
import { createTestPgDatabase, createTestPgliteDatabase } from '@platform/events/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderServiceConfig } from '../../config.js';
import { orderMigrations } from './order.schema.js';
import { expireIdempotencyKeys, IdempotencyKeySweeper } from './idempotency-keys.sweeper.js';

const engines = [
  { name: 'PostgreSQL', open: createTestPgDatabase },
  { name: 'PGlite', open: createTestPgliteDatabase },
] as const;

const HOUR = 3_600_000;

describe.each(engines)('idempotency key expiry on $name', ({ open }) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const now = new Date('2026-12-01T12:00:00Z');

  const keyAt = (key: string, ageMs: number) =>
    db.query("INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id, created_at) VALUES ('acme', $1, 'h', $2, $3)", [
      key,
      `order-${key}`,
      new Date(now.getTime() - ageMs).toISOString(),
    ]);
  const keys = async () => (await db.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key')).rows.map((r) => r.key);

  beforeEach(async () => {
    ({ db, cleanup } = await open());
    await migrate(db, 'order', orderMigrations);
  });
  afterEach(async () => cleanup());

  it('deletes exactly the keys created before the cut-off, at most `limit` per statement', async () => {
    await keyAt('fresh', HOUR);
    await keyAt('edge', 24 * HOUR - 1000);
    for (const key of ['old-1', 'old-2', 'old-3']) await keyAt(key, 25 * HOUR);
    const cutOff = new Date(now.getTime() - 24 * HOUR);
    expect(await expireIdempotencyKeys(db, cutOff, 2)).toBe(2);
    expect(await expireIdempotencyKeys(db, cutOff, 2)).toBe(1);
    expect(await expireIdempotencyKeys(db, cutOff, 2)).toBe(0);
    expect(await keys()).toEqual(['edge', 'fresh']);
  });

  it('a sweep forgets every key past ORDER_IDEMPOTENCY_TTL_MS, in batches of 1000', async () => {
    await db.query(
      "INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id, created_at) SELECT 'acme', 'old-' || lpad(i::text, 4, '0'), 'h', 'o-' || i, $1 FROM generate_series(0, 1004) AS i",
      [new Date(now.getTime() - 2 * HOUR).toISOString()],
    );
    await keyAt('recent', HOUR / 2);
    const sweeper = new IdempotencyKeySweeper(db, { ORDER_IDEMPOTENCY_TTL_MS: HOUR, ORDER_IDEMPOTENCY_SWEEP_MS: 60_000 } as OrderServiceConfig);
    expect(await sweeper.sweep(now)).toBe(1005);
    expect(await keys()).toEqual(['recent']);
  });
});
