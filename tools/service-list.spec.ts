import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformService } from '@platform/contracts';
import { describe, expect, it } from 'vitest';

// The platform's services are `PlatformService` (libs/events, the topology). The TypeScript code
// imports it; three plain-JavaScript files cannot (they run before or without a build), so they
// keep a literal list, checked here against it.

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const names = (list: string) => [...list.matchAll(/'([a-z]+)'/g)].map((m) => m[1]!);

describe('the service list', () => {
  const services = Object.values(PlatformService);

  it('is the same in eslint.config.mjs (module boundaries: one scope per service)', () => {
    expect(names(/const services = \[([^\]]*)\]/.exec(read('eslint.config.mjs'))![1]!)).toEqual(services);
  });

  it('is the same in tools/k8s-secrets.mjs (one NATS identity Secret per service)', () => {
    expect(names(/export const SERVICES = \[([^\]]*)\]/.exec(read('tools/k8s-secrets.mjs'))![1]!)).toEqual(services);
  });

  it('is the same in tools/start.mjs (npm start runs each one)', () => {
    const block = /const SERVICES = \[([\s\S]*?)\n\];/.exec(read('tools/start.mjs'))![1]!;
    expect([...block.matchAll(/\['([a-z]+)', \d+\]/g)].map((m) => m[1]!)).toEqual(services);
  });
});
