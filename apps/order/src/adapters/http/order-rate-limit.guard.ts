import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { principalOf, SERVICE_CONFIG } from '@platform/service-kit';
import type { FastifyRequest } from 'fastify';
import type { OrderServiceConfig } from '../../config.js';

/** The throttler settings of `POST /orders`: `ORDER_RATE_LIMIT` per `ORDER_RATE_LIMIT_WINDOW_MS` (one unnamed throttler, so the header is plain `Retry-After`). */
export const orderRateLimitOptions = {
  inject: [SERVICE_CONFIG],
  useFactory: (config: OrderServiceConfig): ThrottlerModuleOptions => ({
    throttlers: [{ limit: config.ORDER_RATE_LIMIT, ttl: config.ORDER_RATE_LIMIT_WINDOW_MS }],
  }),
};

/**
 * Rate limit of `POST /orders` per token: the tracker is the authenticated tenant and subject
 * (the global auth guard ran first), so one customer cannot spend another's budget and a client
 * cannot escape its own by changing IP. Past the limit: 429, `Retry-After` (seconds) and the
 * platform's error body.
 */
@Injectable()
export class OrderRateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = principalOf(request as unknown as FastifyRequest);
    // The auth guard always attaches one; without it, fail closed into one shared bucket.
    return principal ? `${principal.tenant}\u0000${principal.subject}` : 'unauthenticated';
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ThrottlerException(
      `rate limit exceeded: at most ${detail.limit} POST /orders per ${detail.ttl} ms per token; retry after ${detail.timeToBlockExpire} s`,
    );
  }
}
