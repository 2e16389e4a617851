import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import type { AdvisoryLock, Database, QueryResult, Transaction } from './database.js';
import { runAfterCommit } from './after-commit.js';

export interface PgliteDatabaseOptions {
  /** Folder for the data files; in memory when unset. */
  readonly dataDir?: string;
  /** Start from this dump (see {@link PgliteDatabase.freshClusterDump}) instead of running initdb. */
  readonly loadDataDir?: Blob;
}

const INT8_OID = 20;

/**
 * A {@link Database} on embedded PostgreSQL (PGlite, WebAssembly) for local runs without a
 * server. One connection: transactions run one after another, and a plain query waits for an
 * open transaction to finish rather than running inside it.
 */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  private closed = false;

  private constructor(private readonly pg: PGlite) {}

  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    const pg = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: { [INT8_OID]: (value: string) => Number(value) },
    });
    return new PgliteDatabase(pg);
  }

  /** A dump of an empty cluster, to open more in-memory databases quickly (tests). */
  static async freshClusterDump(): Promise<Blob> {
    const pg = await PGlite.create();
    try {
      return (await pg.dumpDataDir('none')) as Blob;
    } finally {
      await pg.close();
    }
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return run<Row>(this.pg, sql, params);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const callbacks: Array<() => void> = [];
    const result = await this.pg.transaction(async (inner: PgliteTransaction) =>
      fn({
        query: <Row>(sql: string, params?: readonly unknown[]) => run<Row>(inner, sql, params),
        afterCommit: (callback) => void callbacks.push(callback),
      }),
    );
    runAfterCommit(callbacks);
    return result;
  }

  async tryAdvisoryLock(): Promise<AdvisoryLock | null> {
    // One process owns a PGlite data folder, so there is never a competing relay.
    return { release: async () => undefined, lost: new Promise<void>(() => undefined) };
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.pg.listen(channel, onNotify);
    return async () => {
      if (!this.closed) await unlisten();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pg.close();
  }
}

/**
 * Without parameters, use the simple protocol (`exec`) so that a migration may hold several
 * statements, as with `pg`; the last statement's result is returned.
 */
async function run<Row>(target: Pick<PgliteTransaction, 'query' | 'exec'>, sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
  if (params && params.length > 0) return toResult<Row>(await target.query<Row>(sql, params as unknown[]));
  const results = await target.exec(sql);
  const last = results[results.length - 1];
  return last ? toResult<Row>(last as unknown as { rows: Row[]; affectedRows?: number }) : { rows: [], rowCount: 0 };
}

function toResult<Row>(result: { rows: Row[]; affectedRows?: number }): QueryResult<Row> {
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}
