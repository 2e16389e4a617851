// Flat ESLint config: typescript-eslint's recommended rules (syntax only, no type information, to
// stay fast) and Nx module boundaries over the project tags declared in each project.json:
//   type:app   may import type:lib only (apps never import apps)
//   scope:X    may import scope:X and scope:shared; scope:shared only scope:shared
// and the layers of the libraries (docs/development.md, "Libraries and their layers"):
//   layer:events     (libs/events, generic)  imports nothing of ours
//   layer:contracts  (libs/contracts)        only the generic library, for defineEvent
//   layer:ops        (libs/events-ops)       the generic library and the contracts
//   layer:kit        (libs/service-kit)      the generic library and the contracts
//   layer:app        (apps/*)                the generic library, the contracts and the kit; never ops
// Specs and test harnesses (`*.spec.ts`, `testing/`) may also use ops' test NATS servers.
// Domain code (`apps/*/src/domain/`) imports no infrastructure: only the contracts. App code never
// takes the events runtime (EVENTS_RUNTIME): it emits and steers through the service kit's ports.
import { createProjectGraphAsync } from '@nx/devkit';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The boundary rule reads Nx's cached project graph and silently skips itself when there is none
// (fresh clone) or misses projects added since it was cached. Refresh the cache first, so that a
// plain `npx eslint .` enforces boundaries as strictly as `nx lint`.
const projectGraph = await createProjectGraphAsync({ exitOnError: true });

/**
 * The services, one Nx scope each: the `scope:<service>` tag of every project tagged `type:app`
 * (apps/<service>/project.json), sorted. tools/service-list.spec.ts checks they are `PlatformService`.
 */
export const serviceScopes = Object.values(projectGraph.nodes)
  .filter((node) => (node.data.tags ?? []).includes('type:app'))
  .map((node) => {
    const scopes = (node.data.tags ?? []).filter((tag) => tag.startsWith('scope:') && tag !== 'scope:shared');
    if (scopes.length !== 1) throw new Error(`eslint.config.mjs: project ${node.name} (type:app) needs exactly one scope:<service> tag, has ${scopes.join(', ') || 'none'}`);
    return scopes[0].slice('scope:'.length);
  })
  .sort();

/** What app code never imports: the events runtime (apps use the service kit's ports). */
const RUNTIME_PATHS = [
  { name: '@platform/service-kit', importNames: ['EVENTS_RUNTIME'], message: 'apps use the EventOutbox, ConsumerControl and EventStreams ports, not the events runtime' },
  { name: '@platform/events', importNames: ['EventsRuntime', 'Outbox', 'OutboxRelay'], message: 'apps use the EventOutbox, ConsumerControl and EventStreams ports, not the events runtime' },
];

const layers = (tests) => [
  { sourceTag: 'layer:events', onlyDependOnLibsWithTags: ['layer:events'] },
  { sourceTag: 'layer:contracts', onlyDependOnLibsWithTags: ['layer:events', 'layer:contracts'] },
  { sourceTag: 'layer:ops', onlyDependOnLibsWithTags: ['layer:events', 'layer:contracts', 'layer:ops'] },
  { sourceTag: 'layer:kit', onlyDependOnLibsWithTags: ['layer:events', 'layer:contracts', 'layer:kit', ...(tests ? ['layer:ops'] : [])] },
  { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:events', 'layer:contracts', 'layer:kit', ...(tests ? ['layer:ops'] : [])] },
];

const constraints = (tests) => [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ...serviceScopes.map((service) => ({ sourceTag: `scope:${service}`, onlyDependOnLibsWithTags: [`scope:${service}`, 'scope:shared'] })),
  ...layers(tests),
];

export const moduleBoundaryConstraints = constraints(false);
export const testModuleBoundaryConstraints = constraints(true);

const boundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, banTransitiveDependencies: false, allow: [], depConstraints },
];

/** Infrastructure a domain file must not import (the contracts are data, and allowed). */
const INFRASTRUCTURE = ['@platform/events', '@platform/events/*', '@platform/events-ops', '@platform/events-ops/*', '@platform/service-kit', '@platform/service-kit/*', '@nestjs/*', '@nats-io/*', 'pg', '@electric-sql/*', 'fastify'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/**', '.data/**', '.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(moduleBoundaryConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testModuleBoundaryConstraints) },
  },
  {
    // One way to emit: application code gets an EmitEvent (ctx.emit, or EventOutbox.emitter),
    // steers consumers through ConsumerControl and re-reads streams through EventStreams.
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: RUNTIME_PATHS }],
    },
  },
  {
    // Use cases reach storage, gateways and channels through the ports of application/ports.ts;
    // the adapters implement them (a later block replaces the rule: the runtime paths are repeated).
    files: ['apps/*/src/application/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: RUNTIME_PATHS, patterns: [{ group: ['**/adapters/**'], message: 'application code uses the ports of application/ports.ts, not the adapters' }] }],
    },
  },
  {
    // HTTP and event adapters call use cases and queries, never the database adapters.
    files: ['apps/*/src/adapters/http/**/*.ts', 'apps/*/src/adapters/events/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: RUNTIME_PATHS, patterns: [{ group: ['**/db/**', '**/adapters/db/**'], message: 'controllers go through the application layer, not the database adapters' }] }],
    },
  },
  {
    files: ['apps/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: INFRASTRUCTURE, message: 'domain code imports no infrastructure (only @platform/contracts)' },
            { group: ['**/application/**', '**/adapters/**'], message: 'domain code imports neither the application layer nor the adapters' },
          ],
        },
      ],
    },
  },
  {
    // Specs (and the e2e harness they share) poke at untyped JSON and deliberately malformed inputs.
    files: ['**/*.spec.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
);
