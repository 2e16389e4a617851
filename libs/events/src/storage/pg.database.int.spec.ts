import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidConfigError } from '../errors.js';
import { adminQuery, createTestPgDatabase, TEST_DATABASE_URL, type TestDatabase } from '../testing/databases.js';
import { isInfrastructureFailure } from './infrastructure-failure.js';
import { PgDatabase } from './pg.database.js';

/** Failure modes of a real server that the conformance suite cannot reach: killed connections. */
describe('PgDatabase', () => {
  let sut: (TestDatabase<PgDatabase> & { schema: string }) | undefined;
  const errors: Error[] = [];
  const open = async (options: Parameters<typeof createTestPgDatabase>[0] = {}) => {
    sut = await createTestPgDatabase({ applicationName: `pgdb-${randomUUID().slice(0, 8)}`, onError: (error) => errors.push(error), ...options });
    return sut;
  };
  afterEach(async () => {
    await sut?.cleanup();
    sut = undefined;
    errors.length = 0;
  });
  const terminate = async (db: PgDatabase, pid: number) => {
    expect((await db.query('SELECT pg_terminate_backend($1) AS ok', [pid])).rows).toEqual([{ ok: true }]);
  };

  it('creates its schema and uses it alone as the search path', async () => {
    const { db, schema } = await open();
    expect((await db.query('SELECT current_schema() AS s')).rows).toEqual([{ s: schema }]);
    await db.query('CREATE TABLE placed (id int)');
    expect((await db.query("SELECT relnamespace::regnamespace::text AS s FROM pg_class WHERE oid = 'placed'::regclass")).rows).toEqual([{ s: schema }]);
  });

  it('holds at most poolSize pooled connections, and a caller past them waits acquireTimeoutMs, then fails as an infrastructure failure', async () => {
    const applicationName = `pgdb-${randomUUID().slice(0, 8)}`;
    const { db } = await open({ applicationName, poolSize: 2, acquireTimeoutMs: 300 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    const holders = [1, 2].map(() =>
      db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        entered++;
        await held;
      }),
    );
    await vi.waitFor(() => expect(entered).toBe(2), { timeout: 5000, interval: 10 });
    const waited = db.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await waited;
    expect(error).toBeInstanceOf(Error);
    expect(isInfrastructureFailure(error)).toBe(true);
    const sessions = await adminQuery<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    expect(sessions[0]!.n).toBe(2); // the two pooled connections; no LISTEN was needed
    release();
    await Promise.all(holders);
    await expect(db.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });

  it('cancels a statement past statementTimeoutMs, which counts as an infrastructure failure; a hand-cancelled one does not', async () => {
    const { db } = await open({ statementTimeoutMs: 200 });
    const timedOut = await db.query('SELECT pg_sleep(2)').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(timedOut).toMatchObject({ code: '57014', message: expect.stringMatching(/statement timeout/) });
    expect(isInfrastructureFailure(timedOut)).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('canceling statement due to user request'), { code: '57014' }))).toBe(false);
    await expect(db.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });

  it('refuses a schema name that is not a plain lower-case identifier', async () => {
    await expect(PgDatabase.connect({ connectionString: TEST_DATABASE_URL, schema: 'x; DROP' })).rejects.toThrow(InvalidConfigError);
  });

  it('fails a transaction whose connection dies, without crashing, and keeps serving', async () => {
    const { db } = await open();
    await expect(
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await terminate(db, rows[0]!.pid);
        await vi.waitFor(async () => expect(await tx.query('SELECT 1').catch(() => 'dead')).toBe('dead'), { timeout: 5000 });
      }),
    ).rejects.toThrow();
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('survives an idle pooled connection dying and reports it to onError', async () => {
    const { db } = await open();
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // From outside the pool, which would otherwise lend the idle connection to kill itself.
    const outsider = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await outsider.connect();
    try {
      await outsider.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    } finally {
      await outsider.end();
    }
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5000 });
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('reports an advisory lock lost when its connection is killed, and frees it', async () => {
    const { db } = await open();
    const key = `lock-${randomUUID()}`;
    const lock = await db.tryAdvisoryLock(key);
    const { rows } = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [key],
    );
    expect(rows).toHaveLength(1);
    await terminate(db, rows[0]!.pid);
    await lock!.lost;
    const again = await db.tryAdvisoryLock(key);
    expect(again).not.toBeNull();
    await again!.release();
  });

  it('ends held locks on close (lost resolves, another session can take them) and closes idempotently', async () => {
    const { db } = await open();
    const other = await createTestPgDatabase();
    try {
      const key = `lock-${randomUUID()}`;
      const lock = await db.tryAdvisoryLock(key);
      expect(await other.db.tryAdvisoryLock(key)).toBeNull();
      await Promise.all([db.close(), db.close()]);
      await lock!.lost;
      const taken = await other.db.tryAdvisoryLock(key);
      expect(taken).not.toBeNull();
      await taken!.release();
    } finally {
      await other.cleanup();
    }
  });

  it('re-listens after its LISTEN connection is killed', async () => {
    const { db } = await open();
    const channel = `c_${randomUUID().slice(0, 8)}`;
    const payloads: string[] = [];
    const unlisten = await db.listen(channel, (payload) => payloads.push(payload));
    const { rows } = await db.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = current_setting('application_name') AND query LIKE 'LISTEN%'",
    );
    expect(rows).toHaveLength(1);
    await terminate(db, rows[0]!.pid);
    // Notifications sent while it reconnects are lost by design: keep sending until one arrives.
    await vi.waitFor(
      async () => {
        await db.query('SELECT pg_notify($1, $2)', [channel, 'back']);
        expect(payloads).toContain('back');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(errors.length).toBeGreaterThan(0);
    await unlisten();
  });
});
