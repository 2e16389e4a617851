#!/usr/bin/env node
// Writes the HTTP contract of every service as OpenAPI 3.1 into docs/openapi/<service>.json,
// generated from the controllers and DTOs of the built apps (run after `npx tsc -b tsconfig.json`).
// Each app is created in Nest's preview mode (modules and controllers scanned, no provider
// instantiated): no NATS, no storage, no environment needed. The document is the one each service
// serves at GET /openapi.json (`buildOpenApiDocument` of @platform/service-kit).
//
//   node tools/openapi.mjs            regenerate docs/openapi (and delete stale documents)
//   node tools/openapi.mjs --check    exit 1 and list the files that differ, change nothing
//   node tools/openapi.mjs --out DIR  use DIR instead of docs/openapi
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { importBuilt } from './built-library.mjs';
import { syncGeneratedFiles } from './generated-files.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The services and the export of their `service.definition.ts`. */
export const SERVICES = {
  analytics: 'analyticsService',
  inventory: 'inventoryService',
  loyalty: 'loyaltyService',
  notification: 'notificationService',
  order: 'orderService',
  payment: 'paymentService',
};

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: { check: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    console.error(`openapi: ${error.message} (try --help)`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log('usage: node tools/openapi.mjs [--check] [--out DIR]');
    process.exit(0);
  }
  return { check: parsed.values.check, out: resolve(parsed.values.out ?? join(root, 'docs', 'openapi')) };
}

const load = (specifier) => importBuilt('openapi', specifier, 'npx tsc -b tsconfig.json');

async function main() {
  const { check, out } = options();
  const kit = await load('@platform/service-kit', '@platform/service-kit');
  const expected = {};
  for (const [service, exported] of Object.entries(SERVICES)) {
    const module = await load(pathToFileURL(join(root, 'apps', service, 'dist', 'service.definition.js')).href, `apps/${service}/dist/service.definition.js`);
    const definition = module[exported];
    if (!definition) {
      console.error(`openapi: apps/${service}/dist/service.definition.js does not export ${exported}`);
      process.exit(2);
    }
    expected[`${service}.json`] = kit.renderOpenApiDocument(await kit.createOpenApiDocument(definition));
  }

  await syncGeneratedFiles({ tool: 'openapi', command: 'npm run openapi', dir: out, expected, check });
}

await main();
