import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A prom-client registry of one app instance, with the process and runtime defaults labelled
 * `service`. One per instance, never the global one, so that several apps (tests) can share a process.
 */
export function createMetricsRegistry(service: string): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, labels: { service } });
  return register;
}
