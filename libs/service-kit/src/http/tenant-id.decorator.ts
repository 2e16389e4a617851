import { BadRequestException, createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TENANT_ID_PATTERN } from '@platform/events';
import { principalOf } from '../auth/principal.js';

export const TENANT_ID_HEADER = 'x-tenant-id';

/** The tenant of a request, or 400 when `header` is missing or malformed. */
export function tenantIdOf(header: string | string[] | undefined): string {
  if (header === undefined || header === '') {
    throw new BadRequestException('X-Tenant-Id header is required');
  }
  if (typeof header !== 'string' || !TENANT_ID_PATTERN.test(header)) {
    throw new BadRequestException('X-Tenant-Id must match ^[a-z0-9][a-z0-9-]{0,62}$ (lower-case letters, digits and dashes, 1–63 characters)');
  }
  return header;
}

/**
 * Route parameter decorator: the request's tenant, that of its authenticated token (the auth guard
 * has already answered 400 for a malformed `X-Tenant-Id` and 403 for one that disagrees with the
 * token; an absent header means the token's tenant).
 */
export const TenantId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  // Only a @Public() route has no principal, and tenant data is never public.
  if (!principal) throw new UnauthorizedException('authentication required');
  return principal.tenant;
});
