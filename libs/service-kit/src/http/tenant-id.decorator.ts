import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TENANT_ID_PATTERN } from '@platform/events';

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
 * Route parameter decorator: the request's validated `X-Tenant-Id`.
 * Missing or malformed → 400 `{statusCode,error,message}`.
 */
export const TenantId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  tenantIdOf(ctx.switchToHttp().getRequest<FastifyRequest>().headers[TENANT_ID_HEADER]),
);
