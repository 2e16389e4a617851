import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiHeader, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { TENANT_ID_PATTERN } from '@platform/events';
import type { Role } from '../auth/principal.js';
import { ErrorBodySchema } from '../http/error-body.js';

/** Name of the JWT bearer security scheme in every document (`components.securitySchemes.bearer`). */
export const BEARER_SCHEME = 'bearer';
/** Operation extension listing the roles that may call it. */
export const ROLES_EXTENSION = 'x-roles';
/** Operation extension saying what a customer token is limited to (e.g. "its own orders"). */
export const CUSTOMER_SCOPE_EXTENSION = 'x-customer-scope';
/** The tenant header as the documents name it (requests may spell it in any case). */
export const TENANT_HEADER_NAME = 'X-Tenant-Id';

/** What each documented error status means on this platform (design brief §6); routes may be more specific. */
export const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid input: an invalid or unknown field (`message` lists one message per field), or a missing or malformed `X-Tenant-Id`.',
  401: 'No bearer token, or a malformed, expired or otherwise invalid one.',
  403: "The token's role may not call this operation, or its tenant is not `X-Tenant-Id`.",
  404: "No such resource in the tenant (another tenant's resource is not found either).",
  413: 'The body is larger than 16 KiB.',
  415: 'The body is not JSON (`Content-Type` other than `application/json`).',
  422: 'The request is well-formed but cannot be processed.',
  429: 'The rate limit of the token for writes is exceeded; retry after `Retry-After` seconds.',
  503: 'The service is not ready or above capacity; retry after `Retry-After` seconds.',
};

/** One error status, or one with a route-specific description. */
export type ApiErrorStatus = number | readonly [status: number, description: string];

/**
 * Documents error responses whose body is the shared `ErrorBody` schema
 * (`{statusCode,error,message}`, `#/components/schemas/ErrorBody`).
 */
export function ApiErrorResponses(...errors: readonly ApiErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...errors.map((entry) => {
      const [status, description] = typeof entry === 'number' ? [entry, ERROR_DESCRIPTIONS[entry]] : entry;
      if (!description) throw new Error(`ApiErrorResponses: no description for status ${status}`);
      return ApiResponse({ status, description, type: ErrorBodySchema });
    }),
  );
}

/** The 401 and 403 of a protected route, unless the route documents its own (whatever the decorator order). */
function authErrorResponses(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...[401, 403].map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status]!, type: ErrorBodySchema }, { overrideExisting: false })),
  );
}

export interface ApiProtectedOptions {
  /**
   * Roles allowed to call the route, for documentation. The auth guard's `@Roles(...)` on the
   * route or controller wins over this (`buildOpenApiDocument` reads it).
   */
  readonly roles?: readonly Role[];
  /** When customers are allowed: what their token is limited to (e.g. "its own orders"). */
  readonly customerScope?: string;
}

/**
 * Documents a route that needs `Authorization: Bearer <JWT>`: the `bearer` security requirement,
 * the allowed roles (`x-roles`) and what a customer token is limited to (`x-customer-scope`; both
 * also as a sentence in the description), and the 401 and 403 error responses. Documentation
 * only: the global auth guard enforces the token and `@Roles(...)`. `buildOpenApiDocument`
 * documents every route not marked `@Public()` as protected anyway; use this for the roles and
 * the customer scope.
 */
export function ApiProtected(options: ApiProtectedOptions = {}): MethodDecorator & ClassDecorator {
  const decorators = [ApiBearerAuth(BEARER_SCHEME), authErrorResponses()];
  if (options.roles !== undefined) decorators.push(ApiExtension(ROLES_EXTENSION, [...options.roles]));
  if (options.customerScope !== undefined) decorators.push(ApiExtension(CUSTOMER_SCOPE_EXTENSION, options.customerScope));
  return applyDecorators(...decorators);
}

/** The `X-Tenant-Id` header parameter (`buildOpenApiDocument` turns it into `#/components/parameters/TenantId`). */
export function ApiTenantHeader(): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: TENANT_HEADER_NAME,
    required: false,
    description: TENANT_HEADER_DESCRIPTION,
    schema: { type: 'string', pattern: TENANT_ID_PATTERN.source },
  });
}

export const TENANT_HEADER_DESCRIPTION =
  'The tenant whose data the request is about. Must match the tenant of the bearer token; may be left out when the token carries the tenant. Missing (without a tenant in the token) or malformed → 400.';

/** The most items a list query's `limit` may ask for. */
export const MAX_PAGE_LIMIT = 100;

/**
 * A list query's `limit`: an integer 1–100 (converted from the query string), `defaultLimit`
 * when absent, newest first; validated and documented alike on every list route.
 */
export function PageLimit(defaultLimit: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: defaultLimit, description: 'At most this many, newest first.' }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_LIMIT),
  );
}
