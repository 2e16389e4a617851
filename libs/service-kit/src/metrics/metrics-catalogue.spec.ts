import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { HttpMetricName, registerHttpMetrics } from './http.metrics.js';
import { createMetricsRegistry } from './metrics.registry.js';

const doc = readFileSync(new URL('../../../../docs/metrics.md', import.meta.url), 'utf8');

describe('service metrics catalogue', () => {
  it('documents every HTTP metric the kit registers', async () => {
    const register = createMetricsRegistry('test');
    const fastify = Fastify();
    registerHttpMetrics(fastify, register);
    const names = (await register.getMetricsAsJSON()).map((m) => m.name);
    for (const name of Object.values(HttpMetricName)) {
      expect(names).toContain(name);
      expect(doc).toContain(`| \`${name}\` |`);
    }
    await fastify.close();
  });

  it('documents the default process and runtime metrics by prefix', async () => {
    const names = (await createMetricsRegistry('test').getMetricsAsJSON()).map((m) => m.name);
    const undocumented = names.filter((name) => !/^(process|nodejs)_/.test(name));
    expect(undocumented).toEqual([]);
    expect(doc).toContain('| `process_*`, `nodejs_*` |');
  });
});
