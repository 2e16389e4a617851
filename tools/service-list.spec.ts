import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformService } from '@platform/contracts';
import { describe, expect, it } from 'vitest';

// The platform's services are `PlatformService` (libs/contracts, the topology), written nowhere
// else: npm start (tools/start.ts, once it has built the contracts) and npm run k8s:secrets
// (tools/k8s-secrets.ts, from the built libraries) import it, and eslint.config.mjs (which runs
// without a build) reads the apps' scope tags from the Nx project graph. Checked here.

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('the service list', () => {
  const services = Object.values(PlatformService);

  it('is the same in eslint.config.mjs (module boundaries: one scope per service), derived from the Nx project graph', { timeout: 60_000 }, async () => {
    // No literal list: the config takes each `type:app` project's `scope:<service>` tag.
    const config = read('eslint.config.mjs');
    for (const service of services) expect(config, `a literal '${service}' in eslint.config.mjs`).not.toMatch(new RegExp(`['"\`]${service}['"\`]`));
    // What it derives from the Nx project graph (apps/*/project.json tags) and turns into one constraint per service.
    const { serviceScopes, moduleBoundaryConstraints } = (await import(new URL('../eslint.config.mjs', import.meta.url).href)) as {
      serviceScopes: string[];
      moduleBoundaryConstraints: Array<{ sourceTag: string; onlyDependOnLibsWithTags: string[] }>;
    };
    expect(serviceScopes).toEqual([...services].sort());
    const scoped = moduleBoundaryConstraints.filter((c) => c.sourceTag.startsWith('scope:') && c.sourceTag !== 'scope:shared');
    expect(scoped).toEqual(serviceScopes.map((service) => ({ sourceTag: `scope:${service}`, onlyDependOnLibsWithTags: [`scope:${service}`, 'scope:shared'] })));
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
