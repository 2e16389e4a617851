import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A prom-client registry of one app instance, with the process and runtime defaults labelled
 * `service`. One per instance, never the global one, so that several apps (tests) can share a process.
 */
export function createMetricsRegistry(service: string): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, labels: { service } });
  // Gauges named like counters, which `promtool check metrics` rejects; the same figures remain
  // per type in nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
  for (const name of PROMTOOL_REJECTED_DEFAULTS) register.removeSingleMetric(name);
  return register;
}

/** prom-client defaults left out of every registry (see `createMetricsRegistry`). */
export const PROMTOOL_REJECTED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;
