import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors.js';
import { createTestPgDatabase, createTestPgliteDatabase, TEST_DATABASE_URL } from '../testing/databases.js';
import { describeDatabaseConformance } from '../testing/storage.conformance.js';
import { openDatabase } from './open-database.js';
import { PgliteDatabase } from './pglite.database.js';

describeDatabaseConformance('PostgreSQL (pg)', createTestPgDatabase);
describeDatabaseConformance('PGlite (in memory)', createTestPgliteDatabase);

describe('PGlite on disk', () => {
  it('keeps data across reopening the folder', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pglite-'));
    try {
      const first = await PgliteDatabase.open({ dataDir });
      await first.query('CREATE TABLE kept (v text)');
      await first.query("INSERT INTO kept VALUES ('still here')");
      await first.close();
      const second = await PgliteDatabase.open({ dataDir });
      expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('openDatabase', () => {
  it('uses PostgreSQL when DATABASE_URL is set, PGlite otherwise', async () => {
    const pg = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '/nonexistent' });
    expect(pg.engine).toBe('postgres');
    await pg.close();
    const dataDir = await mkdtemp(join(tmpdir(), 'pglite-'));
    const lite = await openDatabase({ databaseUrl: '', dataDir });
    expect(lite.engine).toBe('pglite');
    await lite.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a malformed DATABASE_URL naming the key', async () => {
    await expect(openDatabase({ databaseUrl: 'not a url', dataDir: '/tmp/x' })).rejects.toThrow(InvalidConfigError);
    await expect(openDatabase({ databaseUrl: 'mysql://root@localhost/db', dataDir: '/tmp/x' })).rejects.toThrow(/DATABASE_URL/);
  });
});
