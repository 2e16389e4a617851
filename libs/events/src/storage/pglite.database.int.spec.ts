import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestPgliteDatabase, type TestDatabase } from '../testing/databases.js';
import { PgliteDatabase } from './pglite.database.js';

describe('PgliteDatabase', () => {
  let sut: TestDatabase<PgliteDatabase>;
  beforeEach(async () => {
    sut = await createTestPgliteDatabase();
  });
  afterEach(async () => {
    await sut.cleanup();
  });

  it('throws at once, instead of hanging, when the database itself is called inside a transaction', async () => {
    const outcome = await sut.db.transaction(async (tx) => {
      const direct = await sut.db.query('SELECT 1').then(
        () => 'ran',
        (error: Error) => error.message,
      );
      const nested = await sut.db.transaction(async () => 'ran').catch((error: Error) => error.message);
      await tx.query('SELECT 1');
      return [direct, nested];
    });
    expect(outcome).toEqual([expect.stringContaining('tx.query()'), expect.stringContaining('tx.query()')]);
    expect((await sut.db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('reports held locks lost on close, and closes idempotently', async () => {
    const lock = await sut.db.tryAdvisoryLock('relay');
    await sut.db.close();
    await sut.db.close();
    await expect(lock!.lost).resolves.toBeUndefined();
  });
});

describe('PgliteDatabase on disk', () => {
  it('creates the folder and keeps data across reopening it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pglite-'));
    const dataDir = join(root, 'nested', 'order');
    try {
      const first = await PgliteDatabase.open({ dataDir });
      await first.transaction(async (tx) => {
        await tx.query('CREATE TABLE kept (v text)');
        await tx.query('INSERT INTO kept VALUES ($1)', ['still here']);
      });
      await first.close();
      const second = await PgliteDatabase.open({ dataDir });
      try {
        expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
