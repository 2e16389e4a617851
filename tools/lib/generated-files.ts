/**
 * Generated documents checked into the repository (docs/contracts, docs/openapi): compare what a
 * generator renders with the files on disk, then either report (--check: the caller exits 1 when
 * stale) or write the changes and delete files the generator no longer renders. Shared by
 * tools/asyncapi.ts and tools/openapi.ts.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** One file that differs from what the generator renders. */
export interface GeneratedFileChange {
  /** Relative to the directory, with forward slashes. */
  readonly path: string;
  /** missing: rendered, not on disk; changed: on disk with other content; unexpected: on disk, no longer rendered. */
  readonly status: 'missing' | 'changed' | 'unexpected';
  /** The rendered content (missing and changed files). */
  readonly content?: string;
}

export interface SyncGeneratedFilesOptions {
  /** The tool's name, the prefix of its output (`asyncapi`). */
  readonly tool: string;
  /** The command that regenerates the files, named when they are stale (`npm run asyncapi`). */
  readonly command: string;
  readonly dir: string;
  /** Path relative to `dir` → content. */
  readonly expected: Readonly<Record<string, string>>;
  /** Change nothing: print that `dir` is up to date, or list the stale files on stderr. */
  readonly check: boolean;
}

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every .json file under dir, as paths relative to dir with forward slashes. */
async function listJsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.json')) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * Bring `dir` in line with `expected`. With `check`, change nothing: print that it is up to date,
 * or list the stale files naming `command`. Returns the differences found (in path order): with
 * `check`, any difference means stale (exit 1); without, they have been written or deleted.
 */
export async function syncGeneratedFiles({ tool, command, dir, expected, check }: SyncGeneratedFilesOptions): Promise<GeneratedFileChange[]> {
  const changes: GeneratedFileChange[] = [];
  for (const [path, content] of Object.entries(expected)) {
    const current = await readIfExists(join(dir, path));
    if (current === undefined) changes.push({ path, status: 'missing', content });
    else if (current !== content) changes.push({ path, status: 'changed', content });
  }
  for (const path of await listJsonFiles(dir)) if (!(path in expected)) changes.push({ path, status: 'unexpected' });
  changes.sort((a, b) => (a.path < b.path ? -1 : 1));
  const shown = relative(process.cwd(), dir) || '.';
  const total = Object.keys(expected).length;

  if (check) {
    if (changes.length === 0) {
      console.log(`${tool}: ${shown} is up to date (${total} files)`);
    } else {
      console.error(`${tool}: ${shown} is stale; run \`${command}\` and commit the result:`);
      for (const change of changes) console.error(`  ${change.status.padEnd(10)} ${join(shown, change.path)}`);
    }
    return changes;
  }

  for (const change of changes) {
    const path = join(dir, change.path);
    if (change.status === 'unexpected') {
      await rm(path);
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, change.content!);
    }
    console.log(`  ${(change.status === 'unexpected' ? 'deleted' : 'wrote').padEnd(8)}${join(shown, change.path)}`);
  }
  console.log(`${tool}: ${shown}: ${changes.length} of ${total} files changed`);
  return changes;
}
