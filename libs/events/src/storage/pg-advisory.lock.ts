import pg from 'pg';
import type { AdvisoryLock, QueryResult } from './database.js';

/** A held lock plus the means for its database to end it on close. */
export interface PgAdvisoryLock extends AdvisoryLock {
  /** End the lock's connection without unlocking first (the server drops the lock with it). */
  abandon(): Promise<void>;
}

/**
 * Take `pg_try_advisory_lock(hashtextextended(key, 0))` on a dedicated connection, never a pooled
 * one: a session lock lives as long as its connection, and a pooled connection would carry it to
 * whoever borrows it next. Returns null when another session holds the lock.
 */
export async function tryPgAdvisoryLock(
  config: pg.ClientConfig,
  key: string,
  onError?: (error: Error) => void,
): Promise<PgAdvisoryLock | null> {
  const client = new pg.Client(config);
  let done = false;
  let markLost!: () => void;
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  client.on('error', (error) => {
    if (done) return;
    onError?.(error);
    markLost();
  });
  client.on('end', () => {
    if (!done) markLost();
  });
  try {
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    if (rows[0]?.locked !== true) {
      done = true;
      await client.end();
      return null;
    }
  } catch (error) {
    done = true;
    await client.end().catch(() => undefined);
    throw error;
  }
  // One connection runs one statement at a time: callers (the relay reads the next batch while it
  // marks the previous one) are queued here rather than in pg, which deprecates queueing.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    lost,
    session: {
      query: <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> => {
        const run = tail.then(() => client.query(sql, params as unknown[] | undefined));
        tail = run.catch(() => undefined);
        return run.then((result) => ({ rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }));
      },
    },
    release: async () => {
      if (done) return;
      done = true;
      // Ending the session drops its locks anyway; unlock first so a waiting peer gets it at once.
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
    abandon: async () => {
      await client.end().catch(() => undefined);
    },
  };
}
