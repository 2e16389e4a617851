import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-body.js';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Reject a POST/PUT/PATCH request that carries a body which is not `application/json` with 415,
 * before any parsing. A request without a body passes (validation decides what it lacks).
 */
export function registerJsonOnlyHook(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!METHODS_WITH_BODY.has(request.method)) return;
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (!hasBody) return;
    const contentType = request.headers['content-type'] ?? '';
    if (JSON_MEDIA_TYPE.test(contentType)) return;
    const shown = contentType === '' ? 'missing' : `"${contentType.slice(0, 100)}"`;
    return reply.status(415).send(errorBody(415, `Content-Type must be application/json (got ${shown})`));
  });
}
