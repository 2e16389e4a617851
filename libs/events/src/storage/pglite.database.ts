import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite, types, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { runAfterCommit, runBeforeCommit } from './after-commit.js';
import type { AdvisoryLock, Database, QueryResult, Transaction } from './database.js';
import { NumericOid } from './numeric-oid.js';
import { PgliteListenChannels } from './pglite-listen.channels.js';

export interface PgliteDatabaseOptions {
  /** Folder for the data files, created when missing; in memory when unset. */
  readonly dataDir?: string;
  /** Start from this dump (see {@link PgliteDatabase.freshClusterDump}) instead of running initdb. */
  readonly loadDataDir?: Blob;
}

const toNumber = (value: string): number => Number(value);
const toNumbers = (typarray: number) => (value: string) => types.arrayParser(value, toNumber, typarray) as unknown;

/** Same reading as `pg` (see pg-type-parsers.ts): int8 and numeric, and arrays of them, as numbers. */
const PARSERS = {
  [NumericOid.Int8]: toNumber,
  [NumericOid.Numeric]: toNumber,
  [NumericOid.Int8Array]: toNumbers(NumericOid.Int8Array),
  [NumericOid.NumericArray]: toNumbers(NumericOid.NumericArray),
};

/**
 * A {@link Database} on embedded PostgreSQL (PGlite, WebAssembly) for local runs without a
 * server. It has one connection: PGlite's own mutex runs transactions one after another, and a
 * plain `query()` waits for an open transaction to end rather than running inside it. Calling
 * the database itself (not `tx`) from inside a transaction would wait for that very transaction,
 * so it throws at once instead of hanging.
 */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  private readonly insideTransaction = new AsyncLocalStorage<{ open: boolean }>();
  private readonly locks = new Set<() => void>();
  private closing?: Promise<void>;

  private readonly channels: PgliteListenChannels;

  private constructor(private readonly pg: PGlite) {
    this.channels = new PgliteListenChannels(pg);
  }

  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    const pg = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: PARSERS,
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
    this.assertOutsideTransaction('query');
    return run<Row>(this.pg, sql, params);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOutsideTransaction('transaction');
    const callbacks: Array<() => void> = [];
    const beforeCommit: Array<() => Promise<void>> = [];
    const context = { open: true };
    const result = await this.pg.transaction((inner: PgliteTransaction) =>
      this.insideTransaction.run(context, async () => {
        try {
          const result = await fn({
            query: <Row>(sql: string, params?: readonly unknown[]) => run<Row>(inner, sql, params),
            afterCommit: (callback) => void callbacks.push(callback),
            beforeCommit: (callback) => void beforeCommit.push(callback),
          });
          await runBeforeCommit(beforeCommit);
          return result;
        } finally {
          context.open = false;
        }
      }),
    );
    runAfterCommit(callbacks);
    return result;
  }

  /** Always succeeds: one process owns a PGlite data folder. `lost` resolves on close(). */
  async tryAdvisoryLock(_key?: string): Promise<AdvisoryLock | null> {
    if (this.closing) throw new Error('cannot take an advisory lock: the database is closed');
    let markLost!: () => void;
    const lost = new Promise<void>((resolve) => (markLost = resolve));
    this.locks.add(markLost);
    return { lost, session: this, release: async () => void this.locks.delete(markLost) };
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    this.assertOutsideTransaction('listen');
    const unlisten = await this.channels.add(channel, onNotify);
    return async () => {
      if (!this.closing) await unlisten();
    };
  }

  /** Close the engine (flushing a data folder); held locks report `lost`. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const markLost of this.locks) markLost();
      this.locks.clear();
      await this.pg.close();
    })();
    return this.closing;
  }

  private assertOutsideTransaction(method: string): void {
    if (this.insideTransaction.getStore()?.open) {
      throw new Error(`PGlite: db.${method}() called inside db.transaction() would wait for that transaction forever; use the transaction's tx.query()`);
    }
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
