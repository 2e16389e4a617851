import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestPgDatabase, createTestPgliteDatabase, type TestDatabase } from '../testing/databases.js';
import { describeDatabaseConformance } from '../testing/storage.conformance.js';
import type { Database } from './database.js';
import { DatabaseMetricName, DatabaseMetrics, InstrumentedDatabase } from './instrumented.database.js';

const instrumented = (factory: () => Promise<TestDatabase<Database>>) => async () => {
  const sut = await factory();
  return { db: new InstrumentedDatabase(sut.db, new DatabaseMetrics(new Registry())), cleanup: sut.cleanup };
};

// Transparency: the decorated database passes the same conformance suite as the engines themselves.
describeDatabaseConformance('instrumented PGlite (in memory)', instrumented(createTestPgliteDatabase));
describeDatabaseConformance('instrumented PostgreSQL (pg)', instrumented(createTestPgDatabase));

async function samples(registry: Registry): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      const labels = Object.entries(value.labels).map(([k, v]) => `${k}=${String(v)}`).join(',');
      result[`${metric.name}{${labels}}`] = value.value;
    }
  }
  return result;
}

for (const [engine, factory] of [
  ['PGlite', createTestPgliteDatabase],
  ['PostgreSQL', createTestPgDatabase],
] as const) {
  describe(`InstrumentedDatabase on ${engine}`, () => {
    let sut: TestDatabase<Database>;
    let registry: Registry;
    let db: InstrumentedDatabase;
    beforeEach(async () => {
      sut = await factory();
      registry = new Registry();
      db = new InstrumentedDatabase(sut.db, new DatabaseMetrics(registry));
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('starts every series at 0', async () => {
      expect(await samples(registry)).toEqual({
        'db_statements_total{scope=autocommit}': 0,
        'db_statements_total{scope=transaction}': 0,
        'db_statements_total{scope=lock_session}': 0,
        'db_transactions_total{outcome=commit}': 0,
        'db_transactions_total{outcome=rollback}': 0,
      });
    });

    it('counts statements by scope and transactions by outcome, failed ones too', async () => {
      await db.query('CREATE TABLE counted (id int PRIMARY KEY)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO counted VALUES ($1)', [1]);
        await tx.query('INSERT INTO counted VALUES ($1)', [2]);
      });
      const failure = await db
        .transaction(async (tx) => {
          await tx.query('INSERT INTO counted VALUES ($1)', [3]);
          await tx.query('INSERT INTO counted VALUES ($1)', [1]); // duplicate key
        })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: '23505' });
      const thrown = new Error('the handler failed');
      await expect(db.transaction(async () => Promise.reject(thrown))).rejects.toBe(thrown);
      await expect(db.query('SELECT * FROM missing_table')).rejects.toMatchObject({ code: '42P01' });

      const lock = await db.tryAdvisoryLock('instrumented-probe');
      expect((await lock!.session.query<{ n: number }>('SELECT count(*)::int AS n FROM counted')).rows).toEqual([{ n: 2 }]);
      await lock!.release();

      expect(await samples(registry)).toEqual({
        'db_statements_total{scope=autocommit}': 2,
        'db_statements_total{scope=transaction}': 4,
        'db_statements_total{scope=lock_session}': 1,
        'db_transactions_total{outcome=commit}': 1,
        'db_transactions_total{outcome=rollback}': 2,
      });
    });

    it('passes results, afterCommit callbacks, the engine, NOTIFY and close through', async () => {
      expect(db.engine).toBe(sut.db.engine);
      const ran: string[] = [];
      const result = await db.transaction(async (tx) => {
        tx.afterCommit(() => ran.push('after commit'));
        const { rows, rowCount } = await tx.query<{ one: number }>('SELECT $1::int AS one', [1]);
        ran.push('in transaction');
        return { rows, rowCount };
      });
      expect(result).toEqual({ rows: [{ one: 1 }], rowCount: 1 });
      expect(ran).toEqual(['in transaction', 'after commit']);
      await db.transaction(async (tx) => {
        tx.afterCommit(() => ran.push('never'));
        throw new Error('rolled back');
      }).catch(() => undefined);
      expect(ran).toEqual(['in transaction', 'after commit']);

      const payloads: string[] = [];
      const unlisten = await db.listen('instrumented_probe', (payload) => payloads.push(payload));
      await db.query("SELECT pg_notify('instrumented_probe', 'hello')");
      for (let i = 0; i < 100 && payloads.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(payloads).toEqual(['hello']);
      await unlisten();
      await db.close();
      await expect(db.tryAdvisoryLock('after-close')).rejects.toThrow(/closed/);
    });
  });
}

describe('storage metrics catalogue', () => {
  it('documents every storage metric in docs/metrics.md, and names each one registered', async () => {
    const doc = readFileSync(new URL('../../../../docs/metrics.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `(db_[a-z_]+)` \|/gm)].map((m) => m[1]!));
    const registry = new Registry();
    const metrics = new DatabaseMetrics(registry);
    expect(new DatabaseMetrics(registry).statements).toBe(metrics.statements);
    const registered = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(registered).toEqual(Object.values(DatabaseMetricName).sort());
    expect([...documented].sort()).toEqual(registered);
  });
});
