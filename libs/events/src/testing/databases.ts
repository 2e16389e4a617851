import { randomUUID } from 'node:crypto';
import { PgDatabase } from '../storage/pg.database.js';
import { PgliteDatabase } from '../storage/pglite.database.js';

/** PostgreSQL for integration tests: `TEST_DATABASE_URL`, or the local server as `root`. */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/postgres';

export interface TestDatabase<D> {
  readonly db: D;
  /** Close the database and delete what the test created. */
  cleanup(): Promise<void>;
}

/** A PgDatabase in a fresh random schema (`t_<random>`), dropped on cleanup. */
export async function createTestPgDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase<PgDatabase>> {
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = await PgDatabase.connect({ connectionString: TEST_DATABASE_URL, schema, poolSize: options.poolSize ?? 10 });
  return {
    db,
    cleanup: async () => {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db.close();
    },
  };
}

let pgliteTemplate: Promise<Blob> | undefined;

/**
 * An in-memory PGlite database. The first call in a test process runs initdb (seconds); later
 * ones start from a dump of that fresh cluster (under a second).
 */
export async function createTestPgliteDatabase(): Promise<TestDatabase<PgliteDatabase>> {
  pgliteTemplate ??= PgliteDatabase.freshClusterDump();
  const db = await PgliteDatabase.open({ loadDataDir: await pgliteTemplate });
  return { db, cleanup: () => db.close() };
}
