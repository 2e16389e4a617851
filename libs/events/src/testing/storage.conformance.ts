// Longer than the ~250 lines a file here aims at, on purpose: a conformance suite, one `it` per
// promise of the `Database` interface, which every engine (PostgreSQL, PGlite, a fake) must pass.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../storage/database.js';
import { migrate, type Migration } from '../storage/migrations.js';

export interface DatabaseUnderTest {
  readonly db: Database;
  cleanup(): Promise<void>;
}

const randomName = (prefix: string): string => `${prefix}${Math.random().toString(36).slice(2, 10)}`;

/**
 * What the library relies on from its storage, run against every engine (PostgreSQL through
 * `pg`, and PGlite), so that services behave the same on both.
 */
export function describeDatabaseConformance(name: string, factory: () => Promise<DatabaseUnderTest>): void {
  describe(`Database conformance: ${name}`, () => {
    let sut: DatabaseUnderTest;
    let db: Database;
    beforeEach(async () => {
      sut = await factory();
      db = sut.db;
      await db.query('CREATE TABLE items (id bigserial PRIMARY KEY, name text UNIQUE, doc jsonb, tags text[], at timestamptz, n int NOT NULL DEFAULT 0)');
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    describe('queries', () => {
      it('binds parameters and reads int8 as number, jsonb, text[] and timestamptz', async () => {
        const at = new Date('2026-01-02T03:04:05.678Z');
        await db.query('INSERT INTO items (name, doc, tags, at) VALUES ($1, $2, $3, $4)', ['a', { x: [1, { y: 'z' }] }, ['p', 'q'], at]);
        const { rows, rowCount } = await db.query<{ id: number; doc: unknown; tags: string[]; at: Date; c: number }>(
          'SELECT id, doc, tags, at, count(*) OVER () AS c FROM items',
        );
        expect(rowCount).toBe(1);
        expect(rows[0]).toEqual({ id: 1, doc: { x: [1, { y: 'z' }] }, tags: ['p', 'q'], at, c: 1 });
        expect(rows[0]!.at).toBeInstanceOf(Date);
      });

      it('reads numeric sums and int8/numeric arrays as numbers, with and without parameters', async () => {
        const sql = 'SELECT sum(v) AS total, avg(v) AS mean, array_agg(v) AS ids, array_agg(v::numeric) AS nums FROM unnest($1::bigint[]) AS v';
        const values = [1, 2, 9_007_199_254_740];
        const expected = { total: 9_007_199_254_743, mean: 9_007_199_254_743 / 3, ids: values, nums: values };
        expect((await db.query(sql, [values])).rows[0]).toEqual(expected);
        expect((await db.query("SELECT 7::bigint AS i, 2.5::numeric AS n, '{4,NULL}'::bigint[] AS a")).rows[0]).toEqual({ i: 7, n: 2.5, a: [4, null] });
      });

      it('binds arrays to ANY($1::bigint[]) and counts the rows a statement touched', async () => {
        for (const n of ['a', 'b', 'c']) await db.query('INSERT INTO items (name) VALUES ($1)', [n]);
        expect((await db.query('UPDATE items SET n = 1 WHERE id = ANY($1::bigint[])', [[1, 3]])).rowCount).toBe(2);
        expect((await db.query('DELETE FROM items WHERE n = 0')).rowCount).toBe(1);
      });

      it('runs several statements in one parameterless query and returns the last result', async () => {
        const { rows } = await db.query("INSERT INTO items (name) VALUES ('a'); INSERT INTO items (name) VALUES ('b'); SELECT count(*) AS c FROM items");
        expect(rows).toEqual([{ c: 2 }]);
      });

      it('surfaces a unique violation with SQLSTATE 23505, inside and outside a transaction', async () => {
        await db.query("INSERT INTO items (name) VALUES ('a')");
        await expect(db.query("INSERT INTO items (name) VALUES ('a')")).rejects.toMatchObject({ code: '23505' });
        await expect(db.query('INSERT INTO items (name) VALUES ($1)', ['a'])).rejects.toMatchObject({ code: '23505' });
        await expect(
          db.transaction(async (tx) => {
            await tx.query("INSERT INTO items (name) VALUES ('b')");
            await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
          }),
        ).rejects.toMatchObject({ code: '23505' });
        expect((await db.query('SELECT name FROM items')).rows).toEqual([{ name: 'a' }]);
      });

      it('counts INSERT ... ON CONFLICT DO NOTHING as 0 for a duplicate and 1 for a new row', async () => {
        await db.query("INSERT INTO items (name) VALUES ('a')");
        expect((await db.query('INSERT INTO items (name) VALUES ($1) ON CONFLICT DO NOTHING', ['a'])).rowCount).toBe(0);
        expect((await db.query('INSERT INTO items (name) VALUES ($1) ON CONFLICT DO NOTHING', ['b'])).rowCount).toBe(1);
        expect((await db.query("INSERT INTO items (name) VALUES ('b') ON CONFLICT DO NOTHING RETURNING id")).rowCount).toBe(0);
      });
    });

    describe('transactions', () => {
      it('commits and returns the function result', async () => {
        const result = await db.transaction(async (tx) => {
          await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
          return (await tx.query<{ n: number }>('SELECT count(*) AS n FROM items')).rows[0]!.n;
        });
        expect(result).toBe(1);
        expect((await db.query('SELECT name FROM items')).rows).toEqual([{ name: 'a' }]);
      });

      it('rolls back when the function throws, and re-throws the same error', async () => {
        const failure = new Error('boom');
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect((await db.query('SELECT * FROM items')).rowCount).toBe(0);
      });

      it('refuses to report a commit when a statement failed inside and the error was caught (25P02)', async () => {
        const calls: string[] = [];
        await expect(
          db.transaction(async (tx) => {
            tx.afterCommit(() => calls.push('committed'));
            await tx.query("INSERT INTO items (name) VALUES ('a')");
            await tx.query('SELECT * FROM missing_table').catch(() => undefined);
          }),
        ).rejects.toMatchObject({ code: '25P02' });
        expect(calls).toEqual([]);
        expect((await db.query('SELECT * FROM items')).rowCount).toBe(0);
      });

      it('runs afterCommit callbacks after commit only', async () => {
        const calls: string[] = [];
        await db.transaction(async (tx) => {
          tx.afterCommit(() => calls.push('first'));
          tx.afterCommit(() => calls.push('second'));
          await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
          expect(calls).toEqual([]);
        });
        expect(calls).toEqual(['first', 'second']);
        await expect(
          db.transaction(async (tx) => {
            tx.afterCommit(() => calls.push('rolled back'));
            throw new Error('no');
          }),
        ).rejects.toThrow('no');
        expect(calls).toEqual(['first', 'second']);
      });

      it('runs concurrent transactions apart: each sees its own writes and all of them commit', async () => {
        await db.query("INSERT INTO items (name) VALUES ('counter')");
        const seen = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            db.transaction(async (tx) => {
              await tx.query('INSERT INTO items (name) VALUES ($1)', [`row-${i}`]);
              await tx.query("UPDATE items SET n = n + 1 WHERE name = 'counter'");
              const { rows } = await tx.query<{ name: string }>("SELECT name FROM items WHERE name LIKE 'row-%' ORDER BY name");
              return rows.map((row) => row.name);
            }),
          ),
        );
        expect(seen.map((names, i) => names.includes(`row-${i}`))).toEqual(Array.from({ length: 20 }, () => true));
        expect((await db.query("SELECT n FROM items WHERE name = 'counter'")).rows[0]).toEqual({ n: 20 });
        expect((await db.query("SELECT count(*) AS c FROM items WHERE name LIKE 'row-%'")).rows[0]).toEqual({ c: 20 });
      });

      it('does not run a plain query inside another open transaction', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let inserted!: () => void;
        const started = new Promise<void>((resolve) => (inserted = resolve));
        const open = db.transaction(async (tx) => {
          await tx.query("INSERT INTO items (name) VALUES ('uncommitted')");
          inserted();
          await gate;
          throw new Error('roll back');
        });
        await started;
        const outside = db.query("INSERT INTO items (name) VALUES ('outside')");
        release();
        await expect(open).rejects.toThrow('roll back');
        await outside;
        expect((await db.query('SELECT name FROM items ORDER BY name')).rows).toEqual([{ name: 'outside' }]);
      });
    });

    describe('LISTEN/NOTIFY', () => {
      it('delivers a notification after commit, and none for a rolled-back transaction', async () => {
        const channel = randomName('c_');
        const payloads: string[] = [];
        const unlisten = await db.listen(channel, (payload) => payloads.push(payload));
        await expect(
          db.transaction(async (tx) => {
            await tx.query('SELECT pg_notify($1, $2)', [channel, 'rolled back']);
            throw new Error('no');
          }),
        ).rejects.toThrow('no');
        await db.transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', [channel, 'committed']);
          expect(payloads).toEqual([]);
        });
        await vi.waitFor(() => expect(payloads).toEqual(['committed']), { timeout: 5000 });
        await unlisten();
      });

      it('keeps the channel name exactly (case, punctuation) and stops after unlisten', async () => {
        const channel = randomName('Outbox-Relay.');
        const first: string[] = [];
        const second: string[] = [];
        const unlistenFirst = await db.listen(channel, (payload) => first.push(payload));
        const unlistenSecond = await db.listen(channel, (payload) => second.push(payload));
        await db.query('SELECT pg_notify($1, $2)', [channel, 'one']);
        await vi.waitFor(() => expect([first, second]).toEqual([['one'], ['one']]), { timeout: 5000 });
        await unlistenFirst();
        await db.query('SELECT pg_notify($1, $2)', [channel, 'two']);
        // One notification reaches every handler of the channel together: once the second has it,
        // the first would have it too.
        await vi.waitFor(() => expect(second).toEqual(['one', 'two']), { timeout: 5000 });
        expect(first).toEqual(['one']);
        await unlistenSecond();
      });
    });

    describe('advisory locks', () => {
      it('takes a lock; on PostgreSQL another session cannot take it until release', async () => {
        const key = randomName('lock-');
        const lock = await db.tryAdvisoryLock(key);
        expect(lock).not.toBeNull();
        const second = await db.tryAdvisoryLock(key);
        if (db.engine === 'postgres') {
          expect(second).toBeNull();
          await lock!.release();
          const third = await db.tryAdvisoryLock(key);
          expect(third).not.toBeNull();
          await third!.release();
        } else {
          expect(second).not.toBeNull();
          await second!.release();
          await lock!.release();
        }
      });

      it("answers queries on the lock's own session, with the database's schema and type parsers", async () => {
        const lock = await db.tryAdvisoryLock(randomName('lock-'));
        try {
          await db.query('CREATE TABLE IF NOT EXISTS conformance_session_probe (id bigserial PRIMARY KEY, note text)');
          await db.query("INSERT INTO conformance_session_probe (note) VALUES ('seen')");
          const { rows, rowCount } = await lock!.session.query<{ id: unknown; note: string }>("SELECT id, note FROM conformance_session_probe WHERE note = 'seen' LIMIT 1");
          expect(rowCount).toBe(1);
          expect(rows[0]).toEqual({ id: expect.any(Number), note: 'seen' });
        } finally {
          await lock!.release();
          await db.query('DROP TABLE IF EXISTS conformance_session_probe');
        }
      });
    });

    describe('migrations', () => {
      const v1: Migration = { version: 1, name: 'create', sql: 'CREATE TABLE m_a (id int); CREATE TABLE m_b (id int);' };
      const v2: Migration = { version: 2, name: 'column', sql: 'ALTER TABLE m_a ADD COLUMN name text' };

      it('applies each migration once, then nothing on a second run', async () => {
        expect(await migrate(db, 'alpha', [v1])).toEqual({ applied: [1] });
        expect(await migrate(db, 'alpha', [v1, v2])).toEqual({ applied: [2] });
        expect(await migrate(db, 'alpha', [v1, v2])).toEqual({ applied: [] });
        expect((await db.query('SELECT id, name FROM m_a')).rowCount).toBe(0);
        const { rows } = await db.query("SELECT component, version, name FROM schema_migrations ORDER BY version");
        expect(rows).toEqual([
          { component: 'alpha', version: 1, name: 'create' },
          { component: 'alpha', version: 2, name: 'column' },
        ]);
      });

      it('refuses a migration whose sql changed after it was applied, naming component and version', async () => {
        await migrate(db, 'alpha', [v1]);
        await expect(migrate(db, 'alpha', [{ ...v1, sql: 'CREATE TABLE m_a (id bigint)' }])).rejects.toThrow(/alpha v1\b.*changed/);
      });

      it('refuses versions that are not strictly increasing, before touching the database', async () => {
        await expect(migrate(db, 'alpha', [v2, v1])).rejects.toThrow(/strictly increasing/);
        await expect(migrate(db, 'alpha', [v1, { ...v2, version: 1 }])).rejects.toThrow(/strictly increasing/);
        await expect(db.query('SELECT * FROM m_a')).rejects.toThrow();
      });

      it('keeps components side by side in one table', async () => {
        expect(await migrate(db, 'alpha', [v1])).toEqual({ applied: [1] });
        expect(await migrate(db, 'beta', [{ version: 1, name: 'other', sql: 'CREATE TABLE m_c (id int)' }])).toEqual({ applied: [1] });
        expect((await db.query('SELECT component FROM schema_migrations ORDER BY component')).rows).toEqual([{ component: 'alpha' }, { component: 'beta' }]);
      });

      it('rolls back a failing migration entirely, so a fixed one applies later', async () => {
        const broken: Migration = { version: 1, name: 'broken', sql: 'CREATE TABLE m_d (id int); SELECT * FROM missing_table;' };
        await expect(migrate(db, 'gamma', [broken])).rejects.toThrow();
        await expect(db.query('SELECT * FROM m_d')).rejects.toThrow();
        expect(await migrate(db, 'gamma', [{ ...broken, sql: 'CREATE TABLE m_d (id int)' }])).toEqual({ applied: [1] });
      });

      it('serializes concurrent migrators: each migration is applied exactly once', async () => {
        const results = await Promise.all([migrate(db, 'delta', [v1, v2]), migrate(db, 'delta', [v1, v2]), migrate(db, 'delta', [v1, v2])]);
        expect(results.flatMap((result) => result.applied).sort()).toEqual([1, 2]);
        expect((await db.query("SELECT count(*) AS c FROM schema_migrations WHERE component = 'delta'")).rows[0]).toEqual({ c: 2 });
      });
    });
  });
}
