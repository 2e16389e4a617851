import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgDatabase, type PgDatabaseOptions } from '../storage/pg.database.js';
import { PgliteDatabase } from '../storage/pglite.database.js';

/** PostgreSQL for integration tests: `TEST_DATABASE_URL`, or the local server as `root`. */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/postgres';

export interface TestDatabase<D> {
  readonly db: D;
  /** Close the database and delete what the test created. Safe after `db.close()`. */
  cleanup(): Promise<void>;
}

export type TestPgDatabaseOptions = Pick<PgDatabaseOptions, 'poolSize' | 'acquireTimeoutMs' | 'statementTimeoutMs' | 'applicationName' | 'onError'>;

/** A PgDatabase on {@link TEST_DATABASE_URL} in a fresh random schema (`t_<random>`), dropped on cleanup. */
export async function createTestPgDatabase(options: TestPgDatabaseOptions = {}): Promise<TestDatabase<PgDatabase> & { schema: string }> {
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = await PgDatabase.connect({ connectionString: TEST_DATABASE_URL, schema, ...options });
  return {
    db,
    schema,
    cleanup: async () => {
      await db.close();
      await dropSchema(schema);
    },
  };
}

/**
 * One statement on a connection of its own to the test server ({@link TEST_DATABASE_URL}), outside
 * any pool under test: to create and drop databases, observe `pg_stat_activity`, terminate backends.
 */
export async function adminQuery<Row extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<Row>(sql, [...params])).rows;
  } finally {
    await client.end();
  }
}

/** Drop on a connection of its own, so that cleanup works whatever state the test left `db` in. */
async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
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

/**
 * Both engines for a `describe.each`: a fresh schema on the test PostgreSQL, its pool's
 * connections named `<applicationPrefix>-<random>` (so that a spec can find and cut them), and
 * an in-memory PGlite.
 */
export function testDatabaseEngines(applicationPrefix: string) {
  return [
    ['PostgreSQL', () => createTestPgDatabase({ applicationName: `${applicationPrefix}-${randomUUID().slice(0, 8)}` })],
    ['PGlite', () => createTestPgliteDatabase()],
  ] as const;
}
