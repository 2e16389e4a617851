import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';

/** Accepted incoming ids: 1–128 characters of letters, digits, `.`, `_`, `:` and `-` (UUIDs, W3C trace ids, ...). */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id (Fastify's `genReqId`): the caller's `X-Correlation-Id` when it is well formed,
 * otherwise a new UUID. The logger picks it up as `req.id`.
 */
export function correlationIdOf(request: { readonly headers: IncomingHttpHeaders }): string {
  const incoming = request.headers[CORRELATION_ID_HEADER.toLowerCase()];
  return typeof incoming === 'string' && CORRELATION_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** Echo the request id in every response's `X-Correlation-Id` header. */
export function registerCorrelationIdHeader(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
  });
}
