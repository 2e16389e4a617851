import { activeTraceparent, childTraceparent, isValidTraceparent } from '@platform/events';
import type { FastifyRequest } from 'fastify';

/** Correlation and trace of events emitted while handling an HTTP request. */
export interface RequestEventContext {
  /** The request's correlation id (`X-Correlation-Id`, or the id generated for it). */
  readonly correlationId: string;
  /**
   * The request's hop (see `registerTraceContextHook`): a child of its W3C `traceparent` header,
   * or of a new trace when it has none (or a malformed one).
   */
  readonly traceparent: string;
}

/** What an HTTP command passes to `outbox.append` so its events continue the request's chain. */
export function requestEventContext(request: Pick<FastifyRequest, 'id' | 'headers'>): RequestEventContext {
  const incoming = request.headers['traceparent'];
  return {
    correlationId: request.id,
    traceparent: activeTraceparent() ?? childTraceparent(isValidTraceparent(incoming) ? incoming : undefined),
  };
}
