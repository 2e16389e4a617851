#!/usr/bin/env node
// Writes the event contracts as AsyncAPI 3.0 and JSON Schema into docs/contracts, generated from
// the code of libs/events (run after `npx tsc -b libs/events/tsconfig.json`).
//
//   node tools/asyncapi.mjs            regenerate docs/contracts (and delete stale schema files)
//   node tools/asyncapi.mjs --check    exit 1 and list the files that differ, change nothing
//   node tools/asyncapi.mjs --out DIR  use DIR instead of docs/contracts
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = { check: false, out: join(root, 'docs', 'contracts') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') options.check = true;
    else if (arg === '--out' && argv[i + 1]) options.out = resolve(argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node tools/asyncapi.mjs [--check] [--out DIR]');
      process.exit(0);
    } else {
      console.error(`asyncapi: unknown argument ${arg} (try --help)`);
      process.exit(2);
    }
  }
  return options;
}

async function loadLibrary() {
  try {
    return await import('@platform/events');
  } catch (error) {
    console.error(
      `asyncapi: cannot load @platform/events (${error.message}).\n` +
        'Build the library first: npx tsc -b libs/events/tsconfig.json',
    );
    process.exit(2);
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

async function readIfExists(path) {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { createPlatformRegistry, renderContractDocuments } = await loadLibrary();
  if (typeof createPlatformRegistry !== 'function' || typeof renderContractDocuments !== 'function') {
    console.error('asyncapi: @platform/events does not export createPlatformRegistry and renderContractDocuments');
    process.exit(2);
  }
  const expected = renderContractDocuments(createPlatformRegistry());
  const existing = await listJsonFiles(options.out);

  const changes = [];
  for (const [path, content] of Object.entries(expected)) {
    const current = await readIfExists(join(options.out, path));
    if (current === undefined) changes.push({ path, status: 'missing', content });
    else if (current !== content) changes.push({ path, status: 'changed', content });
  }
  for (const path of existing) {
    if (!(path in expected)) changes.push({ path, status: 'unexpected' });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : 1));
  const shown = relative(process.cwd(), options.out) || '.';

  if (options.check) {
    if (changes.length === 0) {
      console.log(`asyncapi: ${shown} is up to date (${Object.keys(expected).length} files)`);
      return;
    }
    console.error(`asyncapi: ${shown} is stale; run \`npm run asyncapi\` and commit the result:`);
    for (const change of changes) console.error(`  ${change.status.padEnd(10)} ${join(shown, change.path)}`);
    process.exit(1);
  }

  for (const change of changes) {
    const path = join(options.out, change.path);
    if (change.status === 'unexpected') {
      await rm(path);
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, change.content);
    }
    console.log(`  ${(change.status === 'unexpected' ? 'deleted' : 'wrote').padEnd(8)}${join(shown, change.path)}`);
  }
  console.log(`asyncapi: ${shown}: ${changes.length} of ${Object.keys(expected).length} files changed`);
}

await main();
