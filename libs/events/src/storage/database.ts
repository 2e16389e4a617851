/**
 * The storage port: one PostgreSQL dialect over two engines, `pg` (a real server) and PGlite
 * (embedded). Both implementations pass the same conformance suite (storage.conformance.ts).
 */
export interface QueryResult<Row> {
  readonly rows: Row[];
  /** Rows inserted, updated, deleted or returned by the statement. */
  readonly rowCount: number;
}

/** Something that runs SQL: the database itself (autocommit) or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** An open transaction. Statements run in it are committed together or not at all. */
export interface Transaction extends Queryable {
  /**
   * Run `fn` after the transaction commits (never if it rolls back). Used to wake the outbox
   * relay in-process; errors thrown by `fn` are logged, not propagated.
   */
  afterCommit(fn: () => void): void;
  /**
   * Run `fn` once the transaction's work is done, just before COMMIT, in registration order
   * (a callback may register more; they run too). A rejection rolls the transaction back and
   * rejects `transaction()`. The outbox writes a transaction's events with it, in one statement.
   */
  beforeCommit(fn: () => Promise<void>): void;
  /**
   * The transaction this one is a part of, when it is one message's view of a batch transaction
   * (see `MessageScope`); work meant for the whole transaction (one statement for all of its
   * outbox rows) goes to the root.
   */
  readonly root?: Transaction;
}

/** A held session-level advisory lock; release it to let another process take it. */
export interface AdvisoryLock {
  /**
   * The lock's own session (autocommit), for the lock holder's work that must not queue behind
   * the pool (the outbox relay reads and marks through it while handlers hold every pooled
   * connection). On PGlite, the database itself.
   */
  readonly session: Queryable;
  release(): Promise<void>;
  /** Resolves when the lock is lost (its connection closed) without release(). */
  readonly lost: Promise<void>;
}

export type DatabaseEngine = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly engine: DatabaseEngine;
  /**
   * Run `fn` in one transaction (READ COMMITTED). Commits when `fn` resolves, rolls back when it
   * throws and re-throws. Concurrent calls run on separate connections (pg) or one after the
   * other (PGlite, which has a single connection).
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Try to take a session-level advisory lock keyed by `key` without waiting. Returns null when
   * another session holds it. On PGlite (one process per data folder) it always succeeds.
   */
  tryAdvisoryLock(key: string): Promise<AdvisoryLock | null>;
  /**
   * Subscribe to NOTIFY on `channel` (delivered after the notifying transaction commits).
   * Returns an unsubscribe function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
