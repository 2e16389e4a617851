// Writes the event contracts as AsyncAPI 3.0 and JSON Schema into docs/contracts, generated from
// the code of the event libraries (run after `npx tsc -b libs/events-ops/tsconfig.json`; `npm run
// asyncapi` builds them, then runs this file with tsx).
//
//   node --import tsx tools/asyncapi.ts            regenerate docs/contracts (and delete stale schema files)
//   node --import tsx tools/asyncapi.ts --check    exit 1 and list the files that differ, change nothing
//   node --import tsx tools/asyncapi.ts --out DIR  use DIR instead of docs/contracts
//
// Exit codes: 0 written (or up to date), 1 stale (--check) or a failure writing, 2 bad arguments or
// the libraries not built.
import { join, resolve } from 'node:path';
import { booleanOption, formatToolHelp, HELP_OPTION, parseToolArgs, runTool, stringOption, UsageError, type OptionSpecs } from './lib/cli.js';
import { REPO_ROOT } from './lib/env.js';
import { syncGeneratedFiles } from './lib/generated-files.js';
import { loadEvents } from './lib/libraries.js';

const PROGRAM = 'asyncapi';

const OPTIONS: OptionSpecs = {
  check: { type: 'boolean', description: 'exit 1 and list the files that differ, change nothing' },
  out: { type: 'string', value: 'DIR', description: 'use DIR instead of docs/contracts' },
  ...HELP_OPTION,
};

const HELP = formatToolHelp(
  'npm run asyncapi -- [--check] [--out DIR]',
  'Write the event contracts as AsyncAPI 3.0 and JSON Schema into docs/contracts (and delete stale schema files).',
  OPTIONS,
  ['exit codes: 0 written or up to date, 1 stale (--check), 2 bad arguments or the libraries not built'],
);

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseToolArgs(PROGRAM, argv, OPTIONS, { positionals: false, hint: 'see: npm run asyncapi -- --help', help: HELP });
  const check = booleanOption(values, 'check');
  const out = resolve(stringOption(values, 'out') ?? join(REPO_ROOT, 'docs', 'contracts'));

  const { createPlatformRegistry, renderContractDocuments } = await loadEvents();
  if (typeof createPlatformRegistry !== 'function' || typeof renderContractDocuments !== 'function') {
    throw new UsageError(`${PROGRAM}: the event libraries do not export createPlatformRegistry and renderContractDocuments`);
  }
  const expected = renderContractDocuments(createPlatformRegistry());
  const changes = await syncGeneratedFiles({ tool: PROGRAM, command: 'npm run asyncapi', dir: out, expected, check });
  return check && changes.length > 0 ? 1 : 0;
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
