import type { FastifyRequest } from 'fastify';

/** The platform's roles (the `roles` claim of a token). Unknown role names in a token are ignored. */
export const Role = {
  /** A shopper: reads and creates only its own orders, notifications and points (`sub` = its customer id). */
  Customer: 'customer',
  /** Staff of the tenant: everything in its tenant, the catalogue writes, rebuilds and operator reads. */
  Operator: 'operator',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

/** Who sent an authenticated request: the verified claims of its bearer token. */
export interface Principal {
  /** The token's `sub`: for a customer, its customer id. */
  readonly subject: string;
  /** The token's tenant claim: the tenant of every tenant-scoped read and write of the request. */
  readonly tenant: string;
  /** The platform roles of the token (unknown names dropped). */
  readonly roles: readonly Role[];
}

const PRINCIPAL = Symbol('platform.principal');

type WithPrincipal = { [PRINCIPAL]?: Principal };

/** The principal the auth guard attached to `request`, or undefined (a public route). */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return (request as unknown as WithPrincipal)[PRINCIPAL];
}

export function attachPrincipal(request: FastifyRequest, principal: Principal): void {
  (request as unknown as WithPrincipal)[PRINCIPAL] = principal;
}

export function isOperator(principal: Principal): boolean {
  return principal.roles.includes(Role.Operator);
}

/**
 * The customer whose data `principal` is limited to: undefined for an operator (the whole tenant),
 * the token's subject for a customer token.
 */
export function customerScopeOf(principal: Principal): string | undefined {
  return isOperator(principal) ? undefined : principal.subject;
}
