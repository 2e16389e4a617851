import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// NestJS dependency injection needs legacy decorators with emitDecoratorMetadata (as tsc emits
// them for the builds); Vite's oxc transformer does both.
const oxc = { decorator: { legacy: true, emitDecoratorMetadata: true } };
const resolve = {
  alias: [
    { find: /^@platform\/events\/testing$/, replacement: src('./libs/events/src/testing/index.ts') },
    { find: /^@platform\/events\/internal$/, replacement: src('./libs/events/src/internal.ts') },
    { find: /^@platform\/events$/, replacement: src('./libs/events/src/index.ts') },
    { find: /^@platform\/contracts$/, replacement: src('./libs/contracts/src/index.ts') },
    { find: /^@platform\/events-ops\/testing$/, replacement: src('./libs/events-ops/src/testing/index.ts') },
    { find: /^@platform\/events-ops$/, replacement: src('./libs/events-ops/src/index.ts') },
    { find: /^@platform\/service-kit\/testing$/, replacement: src('./libs/service-kit/src/testing/index.ts') },
    { find: /^@platform\/service-kit$/, replacement: src('./libs/service-kit/src/index.ts') },
  ],
};

export default defineConfig({
  test: {
    projects: [
      {
        oxc,
        resolve,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{apps,libs,tools}/**/src/**/*.spec.ts', 'tools/**/*.spec.ts'],
          exclude: ['**/*.int.spec.ts', '**/*.e2e.spec.ts', '**/node_modules/**', '**/dist/**'],
          globals: false,
          testTimeout: 10_000,
        },
      },
      {
        oxc,
        resolve,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['{apps,libs,tools}/**/*.int.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two cores: integration files share one NATS and one PostgreSQL; keep contention bounded.
          maxWorkers: 2,
        },
      },
      {
        oxc,
        resolve,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          // The six services as processes (apps/*/dist, built by `npm test` first) on their own
          // nats-server and PostgreSQL databases; one file at a time.
          include: ['e2e/**/*.e2e.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
