import { createParamDecorator, SetMetadata, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { principalOf, type Principal as PrincipalType, type Role } from './principal.js';

export const IS_PUBLIC_KEY = 'platform:auth:public';
// 'roles' as the OpenAPI generator reads it (openapi-document.ts ROLES_METADATA_KEY).
export const ROLES_KEY = 'roles';

/** A route (or controller) answered without a token: health and metrics only. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * The route needs one of `roles` (403 otherwise). Without it, any authenticated token of the
 * tenant passes the guard, and the handler limits a customer to its own data.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** Who sent the request (`@Principal() principal: Principal`): `{subject, tenant, roles}`. */
export type Principal = PrincipalType;

/** Route parameter decorator: the authenticated {@link PrincipalType} `{subject, tenant, roles}`. */
export const Principal = createParamDecorator((_data: unknown, ctx: ExecutionContext): PrincipalType => {
  const principal = principalOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  // Only a route marked @Public() has none, and such a route has no business asking.
  if (!principal) throw new UnauthorizedException('authentication required');
  return principal;
});
