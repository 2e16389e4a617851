import { runAfterCommit, runBeforeCommit } from '../storage/after-commit.js';
import type { AdvisoryLock, Database, QueryResult, Queryable, Transaction } from '../storage/database.js';

// An in-memory events_outbox behind the Database port, for the relay's unit specs. It runs the
// statements the relay, the outbox and republishRange send, and throws on any other, so a spec
// fails loudly when the SQL changes instead of passing against rows it never wrote. It passes the
// same conformance suite as PGlite and PostgreSQL (outbox.fakes.conformance.int.spec.ts).

export interface FakeOutboxRow {
  readonly id: number;
  readonly eventId: string;
  readonly subject: string;
  readonly payload: string;
  /** The jsonb column as text. */
  readonly headers: string;
  readonly createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
  /** How often republishRange made the row pending again. */
  requeues: number;
}

export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A statement stopped on its way: `reached` once it arrives, run on `release()`. */
export interface HeldStatement {
  readonly reached: Promise<void>;
  release(): void;
}

type Result = QueryResult<Record<string, unknown>>;
/** What an open transaction has written: visible to others only once it commits. */
interface OpenTransaction {
  readonly staged: FakeOutboxRow[];
  readonly notifications: Array<[string, string]>;
  /** Last sequences it took, per aggregate: a rollback gives them back, as events_aggregate_sequences does. */
  readonly sequences: Map<string, number>;
  /** Resolves when it commits or rolls back: its aggregates' row locks are free again. */
  readonly ended: Deferred;
}
const result = (rows: Record<string, unknown>[] = [], rowCount = rows.length): Result => ({ rows, rowCount });
const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

export class FakeOutboxDatabase implements Database {
  readonly engine = 'pglite' as const;
  /** Committed rows, in id order. */
  readonly rows: FakeOutboxRow[] = [];
  /** Every statement, whitespace squashed, with the connection it ran on. */
  readonly statements: Array<{ sql: string; on: 'db' | 'lock' }> = [];
  private nextId = 1;
  private readonly sequences = new Map<string, number>();
  /** The aggregates whose sequence row an open transaction has locked, until it ends. */
  private readonly rowLocks = new Map<string, OpenTransaction>();
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  /** Held statements, waiting to arrive (`taken` false) or to be released. */
  private readonly holds: Array<{ pattern: RegExp; gate: Deferred; reached: Deferred; taken: boolean }> = [];
  private readonly failures: Array<{ pattern: RegExp; error: Error }> = [];
  /** Held locks by key: one session per key, as pg_try_advisory_lock. */
  private readonly locks = new Map<string, { lose(): void }>();
  /** Keys held by another process. */
  readonly foreignLocks = new Set<string>();
  /** When set, tryAdvisoryLock rejects with it (the database is unreachable). */
  lockError?: Error;

  /** Stop the next statement matching `pattern` until released. */
  hold(pattern: RegExp): HeldStatement {
    const entry = { pattern, gate: deferred(), reached: deferred(), taken: false };
    this.holds.push(entry);
    return { reached: entry.reached.promise, release: () => entry.gate.resolve() };
  }

  /** Release every held statement, and hold no more (a spec's teardown). */
  releaseHolds(): void {
    for (const entry of this.holds.splice(0)) entry.gate.resolve();
  }

  /** Make the next statement matching `pattern` reject with `error`. */
  failNext(pattern: RegExp, error = new Error('connection terminated')): void {
    this.failures.push({ pattern, error });
  }

  /** Ids of the rows not published, in order. */
  pendingIds(): number[] {
    return this.rows.filter((row) => row.publishedAt === null).map((row) => row.id);
  }

  /** The relay's lock connection dies: its lock (every lock this process holds) is lost. */
  loseLock(): void {
    const held = [...this.locks.values()];
    this.locks.clear();
    for (const lock of held) lock.lose();
  }

  query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.run(sql, params, 'db', undefined) as Promise<QueryResult<Row>>;
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const open: OpenTransaction = { staged: [], notifications: [], sequences: new Map(), ended: deferred() };
    const before: Array<() => Promise<void>> = [];
    const after: Array<() => void> = [];
    const tx: Transaction = {
      query: <Row>(sql: string, params: readonly unknown[] = []) => this.run(sql, params, 'db', open) as Promise<QueryResult<Row>>,
      beforeCommit: (callback) => void before.push(callback),
      afterCommit: (callback) => void after.push(callback),
    };
    let value: T;
    try {
      value = await fn(tx);
      await runBeforeCommit(before);
    } finally {
      for (const [key, owner] of this.rowLocks) if (owner === open) this.rowLocks.delete(key);
      open.ended.resolve();
    }
    for (const [key, sequence] of open.sequences) this.sequences.set(key, sequence);
    // Ids are taken at the statement, rows land at commit: a later id may commit first.
    for (const row of open.staged) {
      const at = this.rows.findIndex((other) => other.id > row.id);
      this.rows.splice(at < 0 ? this.rows.length : at, 0, row);
    }
    for (const [channel, payload] of open.notifications) this.notify(channel, payload);
    // A failing callback must not turn a committed transaction into an error.
    runAfterCommit(after);
    return value;
  }

  async tryAdvisoryLock(key: string): Promise<AdvisoryLock | null> {
    if (this.lockError) throw this.lockError;
    if (this.locks.has(key) || this.foreignLocks.has(key)) return null;
    const lost = deferred();
    const held = { lose: () => lost.resolve() };
    this.locks.set(key, held);
    const session: Queryable = { query: <Row>(sql: string, params?: readonly unknown[]) => this.run(sql, params ?? [], 'lock', undefined) as Promise<QueryResult<Row>> };
    return { session, lost: lost.promise, release: async () => void (this.locks.get(key) === held && this.locks.delete(key)) };
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const set = this.listeners.get(channel) ?? new Set();
    this.listeners.set(channel, set.add(onNotify));
    return async () => void set.delete(onNotify);
  }

  async close(): Promise<void> {}

  private notify(channel: string, payload: string): void {
    // Delivered after the commit, never inside it, as PostgreSQL does.
    for (const listener of this.listeners.get(channel) ?? []) setImmediate(() => listener(payload));
  }

  private async run(sql: string, params: readonly unknown[], on: 'db' | 'lock', tx: OpenTransaction | undefined): Promise<Result> {
    const text = squash(sql);
    this.statements.push({ sql: text, on });
    const held = this.holds.find((h) => !h.taken && h.pattern.test(text));
    if (held) {
      held.taken = true;
      held.reached.resolve();
      await held.gate.promise;
    }
    const failure = this.failures.findIndex((f) => f.pattern.test(text));
    if (failure >= 0) throw this.failures.splice(failure, 1)[0]!.error;
    return this.execute(text, params, tx);
  }

  private execute(sql: string, p: readonly unknown[], tx: OpenTransaction | undefined): Result | Promise<Result> {
    const ids = (value: unknown) => new Set((value as Array<number | string>).map(Number));
    const update = (match: (row: FakeOutboxRow) => boolean, change: (row: FakeOutboxRow) => void) => {
      const rows = this.rows.filter(match);
      rows.forEach(change);
      return result([], rows.length);
    };
    if (sql.startsWith('WITH input AS')) return this.append(p, tx);
    if (sql.startsWith('SELECT id, event_id, subject, payload, headers::text AS headers FROM events_outbox WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2')) {
      const rows = this.rows.filter((row) => row.publishedAt === null && row.id > Number(p[0])).slice(0, Number(p[1]));
      return result(rows.map((row) => ({ id: row.id, event_id: row.eventId, subject: row.subject, payload: row.payload, headers: row.headers })));
    }
    if (sql === 'UPDATE events_outbox SET published_at = now() WHERE id BETWEEN $1 AND $2') {
      return update((row) => row.id >= Number(p[0]) && row.id <= Number(p[1]), (row) => (row.publishedAt = new Date()));
    }
    if (sql === 'UPDATE events_outbox SET published_at = now() WHERE id = ANY($1::bigint[])') {
      const marked = ids(p[0]);
      return update((row) => marked.has(row.id), (row) => (row.publishedAt = new Date()));
    }
    if (sql === 'UPDATE events_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])') {
      const failed = ids(p[0]);
      return update((row) => failed.has(row.id), (row) => ((row.attempts += 1), (row.lastError = String(p[1]))));
    }
    if (sql.startsWith('UPDATE events_outbox SET published_at = NULL WHERE published_at IS NOT NULL')) {
      const [fromId, toId, from, to] = p as [number | null, number | null, Date | null, Date | null];
      const inRange = (row: FakeOutboxRow) =>
        row.publishedAt !== null && (fromId === null || row.id >= fromId) && (toId === null || row.id <= toId) && (from === null || row.createdAt >= from) && (to === null || row.createdAt < to);
      return update(inRange, (row) => ((row.publishedAt = null), (row.requeues += 1)));
    }
    if (sql === 'SELECT pg_notify($1, $2)') {
      if (tx) tx.notifications.push([String(p[0]), String(p[1])]);
      else this.notify(String(p[0]), String(p[1]));
      return result([{ pg_notify: '' }]);
    }
    if (sql === 'DELETE FROM events_outbox WHERE published_at IS NOT NULL AND published_at < $1') {
      const purged = this.rows.filter((row) => row.publishedAt !== null && row.publishedAt < (p[0] as Date));
      for (const row of purged) this.rows.splice(this.rows.indexOf(row), 1);
      return result([], purged.length);
    }
    if (sql === 'SELECT count(*)::bigint AS pending, min(created_at) AS oldest FROM events_outbox WHERE published_at IS NULL') {
      const pending = this.rows.filter((row) => row.publishedAt === null);
      const oldest = pending.reduce<Date | null>((min, row) => (min === null || row.createdAt < min ? row.createdAt : min), null);
      return result([{ pending: String(pending.length), oldest }]);
    }
    throw new Error(`FakeOutboxDatabase: unexpected statement ${sql}`);
  }

  /**
   * The outbox's append statement: rows visible at commit, sequences per aggregate, NOTIFY when
   * asked. Like the statement's upsert of events_aggregate_sequences, it locks each aggregate (in
   * key order) until the transaction ends, so a concurrent append to one waits for it.
   */
  private async append(p: readonly unknown[], tx: OpenTransaction | undefined): Promise<Result> {
    if (!tx) throw new Error('FakeOutboxDatabase: the outbox appends inside a transaction');
    const [eventIds, tenants, aggregates, subjects, , unsequenced, headers, times] = p as string[][];
    const keyOf = (i: number) => JSON.stringify([tenants![i], aggregates![i]]);
    for (const key of [...new Set(eventIds!.map((_, i) => keyOf(i)))].sort()) {
      for (let owner = this.rowLocks.get(key); owner && owner !== tx; owner = this.rowLocks.get(key)) await owner.ended.promise;
      this.rowLocks.set(key, tx);
    }
    const returned = eventIds!.map((eventId, i) => {
      const key = keyOf(i);
      const sequence = (tx.sequences.get(key) ?? this.sequences.get(key) ?? 0) + 1;
      tx.sequences.set(key, sequence);
      const payload = `${unsequenced![i]!.slice(0, -1)},"sequence":${sequence}}`;
      const row: FakeOutboxRow = { id: this.nextId++, eventId: eventId.toLowerCase(), subject: subjects![i]!, payload, headers: headers![i]!, createdAt: new Date(times![i]!), publishedAt: null, attempts: 0, lastError: null, requeues: 0 };
      tx.staged.push(row);
      return { id: row.id, event_id: row.eventId, sequence };
    });
    if (p.length > 8) tx.notifications.push([String(p[8]), String(p[9])]);
    return result(returned);
  }
}
