import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// SWC instead of esbuild/oxc: NestJS dependency injection needs emitDecoratorMetadata.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022' } })];
const resolve = {
  alias: [
    { find: /^@platform\/events\/testing$/, replacement: src('./libs/events/src/testing/index.ts') },
    { find: /^@platform\/events$/, replacement: src('./libs/events/src/index.ts') },
    { find: /^@platform\/service-kit\/testing$/, replacement: src('./libs/service-kit/src/testing/index.ts') },
    { find: /^@platform\/service-kit$/, replacement: src('./libs/service-kit/src/index.ts') },
  ],
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins,
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
        plugins,
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
    ],
  },
});
