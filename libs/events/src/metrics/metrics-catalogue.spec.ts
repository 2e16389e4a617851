import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventsMetricName, EventsMetrics } from './events.metrics.js';

const doc = readFileSync(new URL('../../../../docs/metrics.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/^\| `(events_[a-z_]+)` \|/gm)].map((m) => m[1]!));

describe('metrics catalogue', () => {
  it('documents every metric the library registers, and registers every documented one', async () => {
    const registry = new Registry();
    new EventsMetrics(registry);
    const registered = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    expect([...registered].sort()).toEqual([...documented].sort());
    expect([...registered].sort()).toEqual(Object.values(EventsMetricName).sort());
  });

  it('can be constructed twice on one registry (reuses the instruments)', () => {
    const registry = new Registry();
    const first = new EventsMetrics(registry);
    const second = new EventsMetrics(registry);
    expect(second.consumed).toBe(first.consumed);
  });
});
