// Writes the HTTP contract of every service as OpenAPI 3.1 into docs/openapi/<service>.json,
// generated from the controllers and DTOs of the built apps (run after `npx tsc -b tsconfig.json`;
// `npm run openapi` builds them, then runs this file with tsx's ESM loader only).
// Each app is created in Nest's preview mode (modules and controllers scanned, no provider
// instantiated): no NATS, no storage, no environment needed. The document is the one each service
// serves at GET /openapi.json (`buildOpenApiDocument` of @platform/service-kit).
// The services are `PlatformService` of @platform/contracts; each one's definition is the export
// `<service>Service` of apps/<service>/dist/service.definition.js.
//
//   node --import tsx/esm tools/openapi.ts            regenerate docs/openapi (and delete stale documents)
//   node --import tsx/esm tools/openapi.ts --check    exit 1 and list the files that differ, change nothing
//   node --import tsx/esm tools/openapi.ts --out DIR  use DIR instead of docs/openapi
//
// `tsx/esm`, not `tsx` (nor tsx's CLI): tsx's CommonJS hook gives a require() of an ES module its own
// copy, so @nestjs/throttler's require('@nestjs/core') would get a second Reflector class and Nest
// could not resolve the guards' dependencies. With the ESM loader alone, require() stays Node's.
//
// Exit codes: 0 written (or up to date), 1 stale (--check) or a failure writing, 2 bad arguments or
// the apps not built.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceDefinition } from '@platform/service-kit';
import { booleanOption, formatToolHelp, HELP_OPTION, parseToolArgs, runTool, stringOption, UsageError, type OptionSpecs } from './lib/cli.js';
import { REPO_ROOT } from './lib/env.js';
import { syncGeneratedFiles } from './lib/generated-files.js';
import { importBuilt } from './lib/libraries.js';

const PROGRAM = 'openapi';
/** What builds the apps and the libraries they import. */
const BUILD = 'npx tsc -b tsconfig.json';

const OPTIONS: OptionSpecs = {
  check: { type: 'boolean', description: 'exit 1 and list the files that differ, change nothing' },
  out: { type: 'string', value: 'DIR', description: 'use DIR instead of docs/openapi' },
  ...HELP_OPTION,
};

const HELP = formatToolHelp(
  'npm run openapi -- [--check] [--out DIR]',
  'Write the OpenAPI 3.1 document of every service into docs/openapi/<service>.json (and delete stale documents).',
  OPTIONS,
  ['exit codes: 0 written or up to date, 1 stale (--check), 2 bad arguments or the apps not built'],
);

/** The export of a service's `service.definition.ts`: `order` → `orderService`. */
const definitionExport = (service: string) => `${service}Service`;

/** The platform's services (`PlatformService` of the built @platform/contracts), in name order. */
async function platformServices(): Promise<string[]> {
  const { PlatformService } = await importBuilt<typeof import('@platform/contracts')>('@platform/contracts', BUILD);
  return Object.values(PlatformService).sort();
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseToolArgs(PROGRAM, argv, OPTIONS, { positionals: false, hint: 'see: npm run openapi -- --help', help: HELP });
  const check = booleanOption(values, 'check');
  const out = resolve(stringOption(values, 'out') ?? join(REPO_ROOT, 'docs', 'openapi'));

  const kit = await importBuilt<typeof import('@platform/service-kit')>('@platform/service-kit', BUILD);
  const expected: Record<string, string> = {};
  for (const service of await platformServices()) {
    const file = `apps/${service}/dist/service.definition.js`;
    const module = await importBuilt<Record<string, ServiceDefinition<never> | undefined>>(pathToFileURL(join(REPO_ROOT, file)).href, BUILD, file);
    const definition = module[definitionExport(service)];
    if (!definition) throw new UsageError(`${PROGRAM}: ${file} does not export ${definitionExport(service)}`);
    expected[`${service}.json`] = kit.renderOpenApiDocument(await kit.createOpenApiDocument(definition));
  }

  const changes = await syncGeneratedFiles({ tool: PROGRAM, command: 'npm run openapi', dir: out, expected, check });
  return check && changes.length > 0 ? 1 : 0;
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
