import { createHash } from 'node:crypto';
import pg from 'pg';
import { InvalidConfigError } from '../errors.js';
import { runAfterCommit, runBeforeCommit } from './after-commit.js';
import type { AdvisoryLock, Database, QueryResult, Transaction } from './database.js';
import { tryPgAdvisoryLock, type PgAdvisoryLock } from './pg-advisory.lock.js';
import { PgListenConnection } from './pg-listen.connection.js';
import { pgTypeParsers } from './pg-type-parsers.js';
import { quoteIdentifier } from './sql-identifier.js';

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  readonly connectionString: string;
  /**
   * Schema to create when missing and to use as every connection's `search_path` (alone: tables
   * elsewhere are not found by unqualified names). A lower-case SQL identifier. Default: the
   * server's search path.
   */
  readonly schema?: string;
  /**
   * Pooled connections for queries and transactions. Default 5. The process holds at most
   * `poolSize + 2` connections: the pool, the LISTEN connection and, on the outbox relay's leader,
   * its advisory-lock connection (docs/development.md, "Database connection budget").
   */
  readonly poolSize?: number;
  /**
   * How long a query or transaction waits for a pooled connection (or for a new one to connect)
   * before failing with `timeout exceeded when trying to connect`, milliseconds. Default 10 000.
   */
  readonly acquireTimeoutMs?: number;
  /**
   * Server-side `statement_timeout` of pooled connections, milliseconds (0 = none). Default
   * 15 000: below the consumers' 30 s ack wait, so a statement stuck on a lock or an overloaded
   * server fails (SQLSTATE 57014) before its message is redelivered elsewhere.
   */
  readonly statementTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`. */
  readonly applicationName?: string;
  /**
   * Called with errors of idle pooled connections, of the LISTEN connection (which then
   * reconnects by itself) and of advisory-lock connections (whose lock is then lost). These are
   * handled, never thrown; nothing is logged. Default: ignore.
   */
  readonly onError?: (error: Error) => void;
}

const DEFAULT_POOL_SIZE = 5;
const DEFAULT_ACQUIRE_TIMEOUT_MS = 10_000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * A {@link Database} on a PostgreSQL server through a `pg` pool. Transactions run on a pooled
 * connection each; advisory locks and LISTEN have dedicated connections outside the pool.
 */
export class PgDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly listener: PgListenConnection;
  private readonly locks = new Set<PgAdvisoryLock>();
  private closing?: Promise<void>;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly onError: (error: Error) => void,
  ) {
    // An idle pooled connection that dies emits 'error' on the pool; unhandled, it would crash.
    pool.on('error', (error) => onError(error));
    this.listener = new PgListenConnection(clientConfig, onError);
  }

  /** Open a pool (checked with one round trip); with `schema`, create the schema when missing. */
  static async connect(options: PgDatabaseOptions): Promise<PgDatabase> {
    if (!POSTGRES_URL.test(options.connectionString)) {
      throw new InvalidConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
    }
    if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
      throw new InvalidConfigError('schema', `"${options.schema}" is not a lower-case SQL identifier`);
    }
    const clientConfig: pg.ClientConfig = {
      connectionString: options.connectionString,
      application_name: options.applicationName,
      connectionTimeoutMillis: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      types: pgTypeParsers,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    };
    if (options.schema) await createSchema(clientConfig, options.schema);
    const pool = new pg.Pool({
      ...clientConfig,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    const database = new PgDatabase(pool, clientConfig, options.onError ?? (() => undefined));
    try {
      await database.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return database;
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return toResult<Row>(await this.pool.query(statement(sql, params)));
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no error listener of the pool's: without this one, a connection
    // that dies mid-transaction would crash the process instead of failing the transaction.
    const onClientError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onClientError);
    const callbacks: Array<() => void> = [];
    const beforeCommit: Array<() => Promise<void>> = [];
    const tx: Transaction = {
      query: async <Row>(sql: string, params?: readonly unknown[]) =>
        toResult<Row>(await client.query(statement(sql, params))),
      afterCommit: (callback) => void callbacks.push(callback),
      beforeCommit: (callback) => void beforeCommit.push(callback),
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await runBeforeCommit(beforeCommit);
      const commit = await client.query('COMMIT');
      // COMMIT of a transaction in which a statement failed (and the caller caught the error)
      // answers ROLLBACK without an error; PGlite throws 25P02 there, and so do we.
      if (commit.command === 'ROLLBACK') throw transactionRolledBack();
      runAfterCommit(callbacks);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
      throw error;
    } finally {
      client.removeListener('error', onClientError);
      client.release(broken ?? false);
    }
  }

  async tryAdvisoryLock(key: string): Promise<AdvisoryLock | null> {
    if (this.closing) throw new Error('cannot take an advisory lock: the database is closed');
    const lock = await tryPgAdvisoryLock(this.clientConfig, key, this.onError);
    if (!lock) return null;
    this.locks.add(lock);
    return {
      lost: lock.lost,
      session: lock.session,
      release: async () => {
        this.locks.delete(lock);
        await lock.release();
      },
    };
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.listener.add(channel, onNotify);
  }

  /** End the pool, the LISTEN connection and every held lock (their `lost` resolves). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.locks].map((lock) => lock.abandon()));
      this.locks.clear();
      await this.listener.close();
      await this.pool.end();
    })();
    return this.closing;
  }
}

async function createSchema(config: pg.ClientConfig, schema: string): Promise<void> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (error) {
    // Two processes creating the schema at once: the loser sees a unique violation; the schema exists.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The error PGlite raises when COMMIT rolls back; same SQLSTATE so callers handle both alike. */
function transactionRolledBack(): Error {
  return Object.assign(new Error('transaction was rolled back instead of committed: a statement in it failed'), { code: '25P02' });
}

/** A multi-statement query (simple protocol) yields one result per statement: keep the last, as PGlite does. */
const statementNames = new Map<string, string>();

/**
 * A statement with parameters runs as a named prepared statement (named after a hash of its
 * text): each connection parses and plans it once and then only binds and executes it, which
 * roughly halves the server's CPU per statement for the short, repeated statements of the
 * outbox, the inbox and the handlers. The platform's SQL texts are a fixed set, so the cache
 * stays small. Statements without parameters (DDL, multi-statement migrations, BEGIN/COMMIT) use
 * the simple protocol as before.
 */
function statement(sql: string, params: readonly unknown[] | undefined): pg.QueryConfig {
  if (!params || params.length === 0) return { text: sql };
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `s_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return { name, text: sql, values: params as unknown[] };
}

function toResult<Row>(result: pg.QueryResult | pg.QueryResult[]): QueryResult<Row> {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  if (!last) return { rows: [], rowCount: 0 };
  return { rows: last.rows as Row[], rowCount: last.rowCount ?? last.rows.length };
}
