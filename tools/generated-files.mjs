// Generated documents checked into the repository (docs/contracts, docs/openapi): compare what a
// generator renders with the files on disk, then either report (--check, exit 1 when stale) or
// write the changes and delete files the generator no longer renders. Shared by
// tools/asyncapi.mjs and tools/openapi.mjs.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

async function readIfExists(path) {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every .json file under dir, as paths relative to dir with forward slashes. */
async function listJsonFiles(dir) {
  const found = [];
  const walk = async (current) => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
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
 * Bring `dir` in line with `expected` (path relative to dir → content). With `check`, change
 * nothing: print that it is up to date, or list the stale files and exit 1 naming `command`.
 *
 * @param {{ tool: string, command: string, dir: string, expected: Record<string, string>, check: boolean }} options
 */
export async function syncGeneratedFiles({ tool, command, dir, expected, check }) {
  const changes = [];
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
      return;
    }
    console.error(`${tool}: ${shown} is stale; run \`${command}\` and commit the result:`);
    for (const change of changes) console.error(`  ${change.status.padEnd(10)} ${join(shown, change.path)}`);
    process.exit(1);
  }

  for (const change of changes) {
    const path = join(dir, change.path);
    if (change.status === 'unexpected') {
      await rm(path);
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, change.content);
    }
    console.log(`  ${(change.status === 'unexpected' ? 'deleted' : 'wrote').padEnd(8)}${join(shown, change.path)}`);
  }
  console.log(`${tool}: ${shown}: ${changes.length} of ${total} files changed`);
}
