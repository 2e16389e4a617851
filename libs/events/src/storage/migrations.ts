import { createHash } from 'node:crypto';
import type { Database } from './database.js';

/** One versioned schema change of a component (the library's tables, or a service's). */
export interface Migration {
  /** Strictly increasing within a component, starting anywhere above 0. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    component  text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
  )`;

/**
 * Apply the migrations of `component` that are not applied yet, each in its own transaction
 * with its bookkeeping row. Concurrent migrators on one database are serialized by a
 * transaction-level advisory lock. A migration edited after it was applied (checksum mismatch)
 * is refused: write a new migration instead.
 */
export async function migrate(db: Database, component: string, migrations: readonly Migration[]): Promise<{ applied: number[] }> {
  assertOrdered(component, migrations);
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('schema_migrations', 0))");
    await tx.query(MIGRATIONS_TABLE);
  });
  const applied: number[] = [];
  for (const migration of migrations) {
    const checksum = createHash('sha256').update(migration.sql).digest('hex');
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`schema_migrations:${component}`]);
      const { rows } = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE component = $1 AND version = $2', [
        component,
        migration.version,
      ]);
      if (rows[0]) {
        if (rows[0].checksum !== checksum) {
          throw new Error(
            `migration ${component} v${migration.version} (${migration.name}) changed after it was applied; add a new migration instead of editing it`,
          );
        }
        return false;
      }
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)', [
        component,
        migration.version,
        migration.name,
        checksum,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return { applied };
}

function assertOrdered(component: string, migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new Error(`migrations of ${component} must have strictly increasing positive integer versions (got ${migration.version} after ${previous})`);
    }
    previous = migration.version;
  }
}
