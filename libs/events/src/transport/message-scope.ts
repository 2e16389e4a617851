import type { QueryResult, Transaction } from '../storage/database.js';

/**
 * One message's view of a batch transaction: its statements run in the batch's transaction (in
 * the message's savepoint), while its before- and after-commit callbacks — the outbox's rows
 * and their hand-over to the relay, a handler's metrics — are kept apart and joined to the batch
 * only when the message's work is kept ({@link keep}); a message rolled back to its savepoint
 * takes them with it, so no event it emitted is stored or reaches the relay. It also notes whether any of its statements failed: a
 * handler that catches a database error has still left the transaction aborted, and its message
 * must be rolled back like one that threw.
 */
export class MessageScope implements Transaction {
  private callbacks: Array<() => void> = [];
  private beforeCommitCallbacks: Array<() => Promise<void>> = [];
  private statementFailed: unknown;

  constructor(private readonly tx: Transaction) {}

  /** The batch's transaction. */
  get root(): Transaction {
    return this.tx.root ?? this.tx;
  }

  /** The first error of a statement run through this scope, if any (even one the handler caught). */
  get failure(): unknown {
    return this.statementFailed;
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    try {
      return await this.tx.query<Row>(sql, params);
    } catch (error) {
      this.statementFailed ??= error ?? new Error('statement failed');
      throw error;
    }
  }

  afterCommit(fn: () => void): void {
    this.callbacks.push(fn);
  }

  beforeCommit(fn: () => Promise<void>): void {
    this.beforeCommitCallbacks.push(fn);
  }

  /** The message's work stays in the batch: its commit callbacks run when the batch commits. */
  keep(): void {
    for (const callback of this.beforeCommitCallbacks) this.tx.beforeCommit(callback);
    for (const callback of this.callbacks) this.tx.afterCommit(callback);
    this.beforeCommitCallbacks = [];
    this.callbacks = [];
  }
}
