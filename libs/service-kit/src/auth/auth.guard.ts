import { ForbiddenException, Injectable, ServiceUnavailableException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TENANT_ID_HEADER, tenantIdOf } from '../http/tenant-id.decorator.js';
import { IS_PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import { attachPrincipal, ROLES, type Role } from './principal.js';
import { TokenRejectedError, TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+) *$/i;
const REALM = 'realm="jetstream-platform"';

/**
 * Global guard of every HTTP route not marked `@Public()`:
 * - `Authorization: Bearer <JWT>` verified by {@link TokenVerifier} (none, malformed or invalid → 401
 *   with `WWW-Authenticate: Bearer`);
 * - the tenant is the token's; a malformed `X-Tenant-Id` → 400, one that disagrees with the token → 403;
 * - `@Roles(...)` on the route or controller → 403 without one of them; a token without any
 *   platform role → 403 everywhere.
 * The principal is then available to `@Principal()` and `@TenantId()`. Event handlers (the
 * JetStream transport) are not HTTP and pass untouched.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      void reply.header('www-authenticate', `Bearer ${REALM}`);
      throw new UnauthorizedException('missing bearer token: send Authorization: Bearer <JWT>');
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw this.unauthorized(reply, 'malformed Authorization header: expected Bearer <JWT>');
    let principal;
    try {
      principal = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw this.unauthorized(reply, error.message);
      throw new ServiceUnavailableException('cannot verify tokens at the moment');
    }

    const tenantHeader = request.headers[TENANT_ID_HEADER];
    if (tenantHeader !== undefined) {
      const tenant = tenantIdOf(tenantHeader);
      if (tenant !== principal.tenant) throw new ForbiddenException(`X-Tenant-Id ${tenant} does not match the tenant of the token (${principal.tenant})`);
    }
    if (principal.roles.length === 0) throw new ForbiddenException(`the token has no platform role (${ROLES.join(' or ')})`);
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (required && required.length > 0 && !required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException(`this endpoint needs the ${required.join(' or ')} role`);
    }
    attachPrincipal(request, principal);
    return true;
  }

  private unauthorized(reply: FastifyReply, message: string): UnauthorizedException {
    void reply.header('www-authenticate', `Bearer ${REALM}, error="invalid_token", error_description="${message.replace(/[^\x20-\x7e]|["\\]/g, '')}"`);
    return new UnauthorizedException(message);
  }
}
