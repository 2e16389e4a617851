import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors.js';
import { createTestPgDatabase, createTestPgliteDatabase, TEST_DATABASE_URL } from '../testing/databases.js';
import { describeDatabaseConformance } from '../testing/storage.conformance.js';
import { openDatabase } from './open-database.js';

describeDatabaseConformance('PostgreSQL (pg)', createTestPgDatabase);
describeDatabaseConformance('PGlite (in memory)', createTestPgliteDatabase);

describe('openDatabase', () => {
  it('uses PostgreSQL when a database URL is set', async () => {
    const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '/nonexistent' });
    try {
      expect(db.engine).toBe('postgres');
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('uses PGlite under dataDir when the URL is unset or blank', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pglite-'));
    try {
      const db = await openDatabase({ databaseUrl: '  ', dataDir });
      expect(db.engine).toBe('pglite');
      await db.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed or non-PostgreSQL DATABASE_URL naming the key', async () => {
    await expect(openDatabase({ databaseUrl: 'not a url', dataDir: '/tmp/x' })).rejects.toThrow(InvalidConfigError);
    await expect(openDatabase({ databaseUrl: 'mysql://root@localhost/db', dataDir: '/tmp/x' })).rejects.toMatchObject({
      key: 'DATABASE_URL',
    });
  });
});
