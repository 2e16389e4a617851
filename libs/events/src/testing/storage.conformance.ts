import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';

export interface DatabaseUnderTest {
  readonly db: Database;
  cleanup(): Promise<void>;
}

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

    it('binds parameters and parses int8 to number, jsonb, text[] and timestamptz', async () => {
      const at = new Date('2026-01-02T03:04:05.678Z');
      await db.query('INSERT INTO items (name, doc, tags, at) VALUES ($1, $2, $3, $4)', ['a', { x: [1, { y: 'z' }] }, ['p', 'q'], at]);
      const { rows, rowCount } = await db.query<{ id: number; doc: unknown; tags: string[]; at: Date; c: number }>(
        'SELECT id, doc, tags, at, count(*) OVER ()::bigint AS c FROM items',
      );
      expect(rowCount).toBe(1);
      expect(rows[0]).toEqual({ id: 1, doc: { x: [1, { y: 'z' }] }, tags: ['p', 'q'], at, c: 1 });
      expect(typeof rows[0]!.id).toBe('number');
    });

    it('binds arrays to ANY($1::bigint[])', async () => {
      for (const n of ['a', 'b', 'c']) await db.query('INSERT INTO items (name) VALUES ($1)', [n]);
      const { rowCount } = await db.query('UPDATE items SET n = 1 WHERE id = ANY($1::bigint[])', [[1, 3]]);
      expect(rowCount).toBe(2);
    });

    it('commits a transaction and returns its result', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
        return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM items')).rows[0]!.n;
      });
      expect(result).toBe(1);
      expect((await db.query('SELECT name FROM items')).rows).toEqual([{ name: 'a' }]);
    });

    it('rolls back when the function throws, and re-throws', async () => {
      const failure = new Error('boom');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await db.query('SELECT * FROM items')).rowCount).toBe(0);
    });

    it('runs afterCommit callbacks after commit only', async () => {
      const calls: string[] = [];
      await db.transaction(async (tx) => {
        tx.afterCommit(() => calls.push('committed'));
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
        expect(calls).toEqual([]);
      });
      await db
        .transaction(async (tx) => {
          tx.afterCommit(() => calls.push('rolled back'));
          throw new Error('no');
        })
        .catch(() => undefined);
      expect(calls).toEqual(['committed']);
    });

    it('keeps concurrent transactions apart and applies all of them', async () => {
      await db.query("INSERT INTO items (name) VALUES ('counter')");
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            await tx.query("UPDATE items SET n = n + 1 WHERE name = 'counter'");
          }),
        ),
      );
      expect((await db.query("SELECT n FROM items WHERE name = 'counter'")).rows[0]).toEqual({ n: 20 });
    });

    it('does not run a plain query inside another open transaction', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const open = db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (name) VALUES ('uncommitted')");
        await gate;
        throw new Error('roll back');
      });
      const outside = db.query("INSERT INTO items (name) VALUES ('outside')");
      release();
      await expect(open).rejects.toThrow('roll back');
      await outside;
      expect((await db.query('SELECT name FROM items ORDER BY name')).rows).toEqual([{ name: 'outside' }]);
    });

    it('surfaces a unique violation with SQLSTATE 23505, and ON CONFLICT DO NOTHING counts 0', async () => {
      await db.query("INSERT INTO items (name) VALUES ('a')");
      await expect(db.query("INSERT INTO items (name) VALUES ('a')")).rejects.toMatchObject({ code: '23505' });
      expect((await db.query("INSERT INTO items (name) VALUES ('a') ON CONFLICT DO NOTHING")).rowCount).toBe(0);
      expect((await db.query("INSERT INTO items (name) VALUES ('b') ON CONFLICT DO NOTHING")).rowCount).toBe(1);
    });

    it('delivers NOTIFY after commit, and not for a rolled-back transaction', async () => {
      const channel = `c_${Math.random().toString(36).slice(2)}`;
      const payloads: string[] = [];
      const unlisten = await db.listen(channel, (payload) => payloads.push(payload));
      await db
        .transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', [channel, 'rolled back']);
          throw new Error('no');
        })
        .catch(() => undefined);
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', [channel, 'committed']);
      });
      await vi.waitFor(() => expect(payloads).toEqual(['committed']), { timeout: 5000 });
      await unlisten();
    });

    it('takes an advisory lock (exclusive across sessions on PostgreSQL)', async () => {
      const key = `lock-${Math.random()}`;
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

    it('applies migrations once per component, refuses an edited one, and keeps components apart', async () => {
      const v1 = { version: 1, name: 'create', sql: 'CREATE TABLE m_a (id int); CREATE TABLE m_b (id int);' };
      const v2 = { version: 2, name: 'column', sql: 'ALTER TABLE m_a ADD COLUMN name text' };
      expect(await migrate(db, 'alpha', [v1])).toEqual({ applied: [1] });
      expect(await migrate(db, 'alpha', [v1, v2])).toEqual({ applied: [2] });
      expect(await migrate(db, 'alpha', [v1, v2])).toEqual({ applied: [] });
      expect(await migrate(db, 'beta', [{ version: 1, name: 'other', sql: 'CREATE TABLE m_c (id int)' }])).toEqual({ applied: [1] });
      await expect(migrate(db, 'alpha', [{ ...v1, sql: 'CREATE TABLE m_a (id bigint)' }, v2])).rejects.toThrow(/alpha v1 .* changed/);
      await expect(migrate(db, 'alpha', [v2, v1])).rejects.toThrow(/strictly increasing/);
      expect((await db.query("SELECT name FROM m_a")).rowCount).toBe(0);
    });

    it('rolls back a failing migration entirely', async () => {
      await expect(migrate(db, 'gamma', [{ version: 1, name: 'broken', sql: 'CREATE TABLE m_d (id int); SELECT * FROM missing_table;' }])).rejects.toThrow();
      await expect(db.query('SELECT * FROM m_d')).rejects.toThrow();
      expect(await migrate(db, 'gamma', [{ version: 1, name: 'fixed', sql: 'CREATE TABLE m_d (id int)' }])).toEqual({ applied: [1] });
    });
  });
}
