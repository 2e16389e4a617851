import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syncGeneratedFiles } from './generated-files.js';

// The generated documents of asyncapi and openapi (tools/asyncapi.ts, tools/openapi.ts): --check
// changes nothing and lists the differences; without it the folder is brought in line.
describe('syncGeneratedFiles', () => {
  let root: string;
  let dir: string;
  let out: string[];
  let err: string[];
  const expected = { 'a.json': '{"a":1}\n', 'schemas/b.json': '{"b":2}\n', 'schemas/c.json': '{"c":3}\n' };
  const sync = (check: boolean) => syncGeneratedFiles({ tool: 'gen', command: 'npm run gen', dir, expected, check });
  const files = async () => (await readdir(dir, { recursive: true })).map(String).sort();

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'generated-files-'));
    dir = root;
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
    await mkdir(join(dir, 'schemas'));
    await writeFile(join(dir, 'a.json'), '{"a":1}\n'); // current
    await writeFile(join(dir, 'schemas/b.json'), '{"b":0}\n'); // changed
    await writeFile(join(dir, 'schemas/old.json'), '{}\n'); // no longer rendered
    await writeFile(join(dir, 'notes.txt'), 'not a document\n'); // not .json: left alone
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it('with check: lists missing, changed and unexpected files in path order and changes nothing', async () => {
    const changes = await sync(true);
    expect(changes.map((c) => [c.status, c.path])).toEqual([
      ['changed', 'schemas/b.json'],
      ['missing', 'schemas/c.json'],
      ['unexpected', 'schemas/old.json'],
    ]);
    expect(err[0]).toMatch(/^gen: .* is stale; run `npm run gen` and commit the result:$/);
    expect(err.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(['changed', 'missing', 'unexpected']);
    expect(out).toEqual([]);
    expect(await files()).toEqual(['a.json', 'notes.txt', 'schemas', 'schemas/b.json', 'schemas/old.json']);
  });

  it('without check: writes and deletes, then a check finds the folder up to date', async () => {
    expect(await sync(false)).toHaveLength(3);
    expect(out.at(-1)).toMatch(/^gen: .*: 3 of 3 files changed$/);
    expect(await files()).toEqual(['a.json', 'notes.txt', 'schemas', 'schemas/b.json', 'schemas/c.json']);
    expect(await readFile(join(dir, 'schemas/b.json'), 'utf8')).toBe('{"b":2}\n');
    out = [];
    expect(await sync(true)).toEqual([]);
    expect(out).toEqual([expect.stringMatching(/^gen: .* is up to date \(3 files\)$/)]);
    expect(err).toEqual([]);
  });

  it('creates a folder that does not exist yet', async () => {
    dir = join(dir, 'new', 'docs');
    expect((await sync(true)).map((c) => c.status)).toEqual(['missing', 'missing', 'missing']);
    await sync(false);
    expect(await files()).toEqual(['a.json', 'schemas', 'schemas/b.json', 'schemas/c.json']);
  });
});
