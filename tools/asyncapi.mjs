#!/usr/bin/env node
// Writes the event contracts as AsyncAPI 3.0 and JSON Schema into docs/contracts, generated from
// the code of the event libraries (run after `npx tsc -b libs/events-ops/tsconfig.json`).
//
//   node tools/asyncapi.mjs            regenerate docs/contracts (and delete stale schema files)
//   node tools/asyncapi.mjs --check    exit 1 and list the files that differ, change nothing
//   node tools/asyncapi.mjs --out DIR  use DIR instead of docs/contracts
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importBuilt } from './built-library.mjs';
import { syncGeneratedFiles } from './generated-files.mjs';

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

const loadLibrary = () => importBuilt('asyncapi');

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { createPlatformRegistry, renderContractDocuments } = await loadLibrary();
  if (typeof createPlatformRegistry !== 'function' || typeof renderContractDocuments !== 'function') {
    console.error('asyncapi: the event libraries do not export createPlatformRegistry and renderContractDocuments');
    process.exit(2);
  }
  const expected = renderContractDocuments(createPlatformRegistry());
  await syncGeneratedFiles({ tool: 'asyncapi', command: 'npm run asyncapi', dir: options.out, expected, check: options.check });
}

await main();
