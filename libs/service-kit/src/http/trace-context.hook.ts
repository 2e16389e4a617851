import { enableTraceContext, type Hop, isValidTraceparent, SpanKind, startHop, withHop } from '@platform/events';
import type { FastifyInstance } from 'fastify';

/** The W3C trace context header, read from requests and written on every response. */
export const TRACEPARENT_HEADER = 'traceparent';

/** The request's hop, kept on the raw request for the request log line (pino-http `customProps`). */
export const REQUEST_HOP = Symbol('platform.requestHop');

/**
 * Every request is a hop of a trace: a child of the caller's `traceparent` header (a new trace
 * when it has none), answered in the response's `traceparent` header, and active (with the
 * request's correlation id) for everything the request does — its log lines and the events its
 * transaction emits (`requestEventContext`).
 */
export function registerTraceContextHook(fastify: FastifyInstance): void {
  enableTraceContext();
  fastify.addHook('onRequest', (request, reply, done) => {
    const incoming = request.headers[TRACEPARENT_HEADER];
    const hop = startHop(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`, isValidTraceparent(incoming) ? incoming : undefined, SpanKind.SERVER, request.id);
    (request.raw as { [REQUEST_HOP]?: Hop })[REQUEST_HOP] = hop;
    void reply.header(TRACEPARENT_HEADER, hop.traceparent);
    // Running the rest of the request inside the hop makes it the active context throughout.
    withHop(hop, done);
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    (request.raw as { [REQUEST_HOP]?: Hop })[REQUEST_HOP]?.span.end();
    done();
  });
}
