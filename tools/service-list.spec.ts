import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformService } from '@platform/contracts';
import { describe, expect, it } from 'vitest';

// The platform's services are `PlatformService` (libs/contracts, the topology). The TypeScript code
// imports it (npm start, tools/start.ts, once it has built the contracts; npm run k8s:secrets,
// tools/k8s-secrets.ts, from the built libraries); a plain-JavaScript file cannot (it runs before
// or without a build), so it keeps a literal list, checked here against it.

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const names = (list: string) => [...list.matchAll(/'([a-z]+)'/g)].map((m) => m[1]!);

describe('the service list', () => {
  const services = Object.values(PlatformService);

  it('is the same in eslint.config.mjs (module boundaries: one scope per service)', () => {
    expect(names(/const services = \[([^\]]*)\]/.exec(read('eslint.config.mjs'))![1]!)).toEqual(services);
  });

  it('is where npm run k8s:secrets takes it from (tools/k8s-secrets.ts: one database Secret per service)', () => {
    const tool = read('tools/k8s-secrets.ts');
    expect(tool).toMatch(/Object\.values\(PlatformService\)/);
    expect(tool).not.toMatch(/SERVICES = \[/);
    for (const service of services) expect(tool, `a literal '${service}' in tools/k8s-secrets.ts`).not.toContain(`'${service}'`);
  });

  it('is where npm start takes it from (tools/start.ts), with each default port of apps/<service>/src/config.ts', async () => {
    const start = read('tools/start.ts');
    expect(start).toMatch(/Object\.values\(contracts\.PlatformService\)/);
    expect(start).not.toMatch(/const SERVICES = \[/);
    const { DEFAULT_PORTS } = await import('./start/settings.js');
    expect(Object.keys(DEFAULT_PORTS).sort()).toEqual([...services].sort());
    for (const service of services) expect(read(`apps/${service}/src/config.ts`)).toMatch(new RegExp(`override PORT = ${DEFAULT_PORTS[service]};`));
  });
});
