import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

export const HttpMetricName = {
  RequestsTotal: 'http_requests_total',
  RequestDurationSeconds: 'http_request_duration_seconds',
} as const;
export type HttpMetricName = (typeof HttpMetricName)[keyof typeof HttpMetricName];

/** The `route` label of a request that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

const labelNames = ['method', 'route', 'status_code'] as const;

/**
 * Record HTTP RED metrics for every response from a Fastify `onResponse` hook. The `route` label is
 * the matched route pattern (`/orders/:id`), `unmatched` when none matched — never the raw URL,
 * which would make the label set unbounded.
 */
export function registerHttpMetrics(fastify: FastifyInstance, register: Registry): void {
  const requests = new Counter({
    name: HttpMetricName.RequestsTotal,
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames,
    registers: [register],
  });
  const duration = new Histogram({
    name: HttpMetricName.RequestDurationSeconds,
    help: 'HTTP request duration from arrival to response sent, seconds',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
