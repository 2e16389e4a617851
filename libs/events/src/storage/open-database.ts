import { InvalidConfigError } from '../errors.js';
import type { Database } from './database.js';
import { PgDatabase } from './pg.database.js';
import { PgliteDatabase } from './pglite.database.js';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; when unset, embedded PGlite under `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** PostgreSQL only: the schema to use (created when missing). */
  readonly schema?: string;
  readonly applicationName?: string;
  /** PostgreSQL only: see `PgDatabaseOptions`. */
  readonly poolSize?: number;
  readonly acquireTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
}

/** The service's storage: real PostgreSQL when `DATABASE_URL` is set, otherwise PGlite on disk. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const url = options.databaseUrl?.trim();
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidConfigError('DATABASE_URL', 'is not a URL (expected postgres://user@host:5432/database)');
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new InvalidConfigError('DATABASE_URL', `protocol "${parsed.protocol}" is not postgres: or postgresql:`);
    }
    return PgDatabase.connect({
      connectionString: url,
      schema: options.schema,
      applicationName: options.applicationName,
      poolSize: options.poolSize,
      acquireTimeoutMs: options.acquireTimeoutMs,
      statementTimeoutMs: options.statementTimeoutMs,
    });
  }
  return PgliteDatabase.open({ dataDir: options.dataDir });
}
