import { Counter, register as globalRegistry, type Registry } from 'prom-client';
import type { AdvisoryLock, Database, DatabaseEngine, Queryable, QueryResult, Transaction } from './database.js';

/** Names of the storage metrics; docs/metrics.md lists them, a test keeps them in sync. */
export const DatabaseMetricName = {
  Statements: 'db_statements_total',
  Transactions: 'db_transactions_total',
} as const;

/**
 * Where a statement ran (the `scope` label of `db_statements_total`):
 * - `autocommit`: `db.query()`, a transaction of its own;
 * - `transaction`: `tx.query()` inside `db.transaction()` (BEGIN and COMMIT not counted: they are the transaction);
 * - `lock_session`: the advisory lock's own session (the outbox relay's reads and marks).
 */
export const StatementScope = { Autocommit: 'autocommit', Transaction: 'transaction', LockSession: 'lock_session' } as const;
export type StatementScope = (typeof StatementScope)[keyof typeof StatementScope];

/** Outcome label of `db_transactions_total`. */
export const TransactionOutcome = { Commit: 'commit', Rollback: 'rollback' } as const;
export type TransactionOutcome = (typeof TransactionOutcome)[keyof typeof TransactionOutcome];

/** The storage counters of one registry; constructing it twice on a registry reuses them. Every label value starts at 0. */
export class DatabaseMetrics {
  readonly statements: Counter<'scope'>;
  readonly transactions: Counter<'outcome'>;

  constructor(registry: Registry = globalRegistry) {
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
    this.statements = counter(DatabaseMetricName.Statements, 'SQL statements sent to the database (every query call, failed ones too; BEGIN/COMMIT not counted)', ['scope']);
    this.transactions = counter(DatabaseMetricName.Transactions, 'Database transactions (db.transaction) by outcome', ['outcome']);
    for (const scope of Object.values(StatementScope)) this.statements.inc({ scope }, 0);
    for (const outcome of Object.values(TransactionOutcome)) this.transactions.inc({ outcome }, 0);
  }
}

/**
 * Decorates a {@link Database} with statement and transaction counts. Transparent: the same
 * results and the very same errors, `afterCommit` and `listen` passed through, the engine's own
 * rules kept (PGlite's guard against `db.query()` inside a transaction still applies). A
 * transaction counts as `commit` when `transaction()` resolves and `rollback` when it rejects
 * (the function threw, or COMMIT failed or rolled back).
 */
export class InstrumentedDatabase implements Database {
  readonly engine: DatabaseEngine;

  constructor(
    private readonly inner: Database,
    private readonly metrics: DatabaseMetrics,
  ) {
    this.engine = inner.engine;
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    this.metrics.statements.inc({ scope: StatementScope.Autocommit });
    return this.inner.query<Row>(sql, params);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await this.inner.transaction((tx) =>
        fn({
          query: <Row>(sql: string, params?: readonly unknown[]) => {
            this.metrics.statements.inc({ scope: StatementScope.Transaction });
            return tx.query<Row>(sql, params);
          },
          afterCommit: (callback) => tx.afterCommit(callback),
          beforeCommit: (callback) => tx.beforeCommit(callback),
        }),
      );
    } catch (error) {
      this.metrics.transactions.inc({ outcome: TransactionOutcome.Rollback });
      throw error;
    }
    this.metrics.transactions.inc({ outcome: TransactionOutcome.Commit });
    return result;
  }

  async tryAdvisoryLock(key: string): Promise<AdvisoryLock | null> {
    const lock = await this.inner.tryAdvisoryLock(key);
    if (!lock) return null;
    const session: Queryable = {
      query: <Row>(sql: string, params?: readonly unknown[]) => {
        this.metrics.statements.inc({ scope: StatementScope.LockSession });
        return lock.session.query<Row>(sql, params);
      },
    };
    return { session, lost: lock.lost, release: () => lock.release() };
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.inner.listen(channel, onNotify);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
