import pg from 'pg';
import { InvalidConfigError } from '../errors.js';
import type { AdvisoryLock, Database, QueryResult, Transaction } from './database.js';
import { runAfterCommit } from './after-commit.js';

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly connectionString: string;
  /** Schema to create (if missing) and put first on every connection's `search_path`. */
  readonly schema?: string;
  /** Pooled connections. Default 10. */
  readonly poolSize?: number;
  /** `application_name` shown in `pg_stat_activity`. */
  readonly applicationName?: string;
  /** Called with errors of idle or listening connections (they are handled, never thrown). */
  readonly onError?: (error: Error) => void;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

// Parse int8 (counts, bigserial ids, sequences) to numbers: every value the library stores there
// stays far below 2^53. Per pool, never via the global pg.types.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A {@link Database} on a PostgreSQL server through a `pg` pool. */
export class PgDatabase implements Database {
  readonly engine = 'postgres' as const;
  private listener?: ListenConnection;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly options: PgDatabaseOptions,
  ) {
    pool.on('error', (error) => options.onError?.(error));
  }

  /** Open a pool; with `schema`, create it when missing and use it first on the search path. */
  static async connect(options: PgDatabaseOptions): Promise<PgDatabase> {
    if (!/^postgres(ql)?:\/\//.test(options.connectionString)) {
      throw new InvalidConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
    }
    if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
      throw new InvalidConfigError('schema', `"${options.schema}" is not a lower-case SQL identifier`);
    }
    const clientConfig: pg.ClientConfig = {
      connectionString: options.connectionString,
      application_name: options.applicationName,
      types,
      ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
    };
    if (options.schema) {
      const client = new pg.Client(clientConfig);
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
      } finally {
        await client.end();
      }
    }
    const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 });
    const database = new PgDatabase(pool, clientConfig, options);
    await database.query('SELECT 1');
    return database;
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return toResult<Row>(await this.pool.query(sql, params as unknown[]));
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const callbacks: Array<() => void> = [];
    const tx: Transaction = {
      query: async <Row>(sql: string, params?: readonly unknown[]) => toResult<Row>(await client.query(sql, params as unknown[])),
      afterCommit: (callback) => void callbacks.push(callback),
    };
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      runAfterCommit(callbacks);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async tryAdvisoryLock(key: string): Promise<AdvisoryLock | null> {
    const client = new pg.Client(this.clientConfig);
    let released = false;
    let markLost!: () => void;
    const lost = new Promise<void>((resolve) => (markLost = resolve));
    client.on('error', (error) => {
      this.options.onError?.(error);
      markLost();
    });
    client.on('end', () => {
      if (!released) markLost();
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
      if (!rows[0]?.locked) {
        released = true;
        await client.end();
        return null;
      }
    } catch (error) {
      released = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      lost,
      release: async () => {
        if (released) return;
        released = true;
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    this.listener ??= new ListenConnection(this.clientConfig, this.options.onError);
    return this.listener.add(channel, onNotify);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener?.close();
    await this.pool.end();
  }
}

/** One dedicated connection for every LISTEN of a database, re-established when it drops. */
class ListenConnection {
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private closed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError?: (error: Error) => void,
  ) {}

  async add(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    const client = await this.connect();
    if (first) await client.query(`LISTEN ${quoteIdent(channel)}`);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await this.client?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client(this.config);
      client.on('notification', (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', (error) => {
        this.onError?.(error);
        this.reconnectSoon(client);
      });
      client.on('end', () => this.reconnectSoon(client));
      try {
        await client.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
      this.client = client;
      this.connecting = undefined;
      return client;
    })();
    return this.connecting;
  }

  private reconnectSoon(dead: pg.Client): void {
    if (this.client !== dead || this.closed) return;
    this.client = undefined;
    const attempt = (delayMs: number) => {
      this.retryTimer = setTimeout(() => {
        if (this.closed) return;
        this.connect().catch((error: Error) => {
          this.onError?.(error);
          attempt(Math.min(delayMs * 2, 10_000));
        });
      }, delayMs);
      this.retryTimer.unref();
    };
    attempt(200);
  }
}

/** A multi-statement query (simple protocol) yields one result per statement: keep the last, as PGlite does. */
function toResult<Row>(result: pg.QueryResult | pg.QueryResult[]): QueryResult<Row> {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  if (!last) return { rows: [], rowCount: 0 };
  return { rows: last.rows as Row[], rowCount: last.rowCount ?? last.rows.length };
}

function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
