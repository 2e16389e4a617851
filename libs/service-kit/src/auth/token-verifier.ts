import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { InvalidConfigError, TENANT_ID_PATTERN } from '@platform/events';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { loadPublicKeyFile, parseAlgorithms, type SupportedAlgorithm } from './auth-keys.js';
import { ROLES, type Principal, type Role } from './principal.js';

/** Claim holding the tenant of a token. */
export const TENANT_CLAIM = 'tenant';
/** Claim holding the platform roles of a token (an array of strings). */
export const ROLES_CLAIM = 'roles';
/** Leeway for `exp` and `nbf` against clock skew between the issuer and the services, seconds. */
export const AUTH_CLOCK_TOLERANCE_S = 30;

/** A token that does not authenticate its bearer: the client's fault, answered 401. */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
}

/** Tokens cannot be checked right now (the JWKS endpoint is down or serves garbage): answered 503. */
export class TokenVerificationUnavailableError extends Error {
  override readonly name = 'TokenVerificationUnavailableError';
}

type AuthConfig = Pick<BaseServiceConfig, 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_JWKS_URL' | 'AUTH_PUBLIC_KEY_FILE' | 'AUTH_ALGORITHMS'>;

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Refuses a configuration without a token verification key, or with two: a service never runs
 * without authentication.
 *
 * @throws InvalidConfigError naming AUTH_JWKS_URL and AUTH_PUBLIC_KEY_FILE.
 */
export function assertAuthConfigured(config: AuthConfig): void {
  const jwks = present(config.AUTH_JWKS_URL);
  const file = present(config.AUTH_PUBLIC_KEY_FILE);
  if (jwks && file) throw new InvalidConfigError('AUTH_JWKS_URL', 'set only one of AUTH_JWKS_URL and AUTH_PUBLIC_KEY_FILE');
  if (!jwks && !file) {
    throw new InvalidConfigError(
      'AUTH_JWKS_URL',
      'no key to verify API tokens: set AUTH_JWKS_URL (the identity provider’s JWKS, production) or AUTH_PUBLIC_KEY_FILE (a public key file, development: `npm start` creates one); the services never run without authentication',
    );
  }
}

/** Verified tokens kept, at most (the oldest verified is forgotten first). */
const VERIFIED_CACHE_SIZE = 10_000;
/** How long a verification is reused at most, ms: a key withdrawn from the JWKS stops counting within this. */
const VERIFIED_CACHE_TTL_MS = 5 * 60_000;

interface VerifiedToken {
  readonly principal: Principal;
  /** `exp` and `nbf` in ms (nbf 0 when absent), checked again at every use. */
  readonly expiresAt: number;
  readonly notBefore: number;
  /** When this verification stops being reused. */
  readonly reuseUntil: number;
}

/**
 * Verifies the bearer tokens of HTTP requests against the configured issuer, audience and key(s).
 * A client sends the same token with many requests: a token whose signature and claims were
 * verified is remembered (by its exact text) for at most 5 minutes, and its `exp`/`nbf` are checked
 * again on every use, so an expired token is refused as before; the signature is not re-checked.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedToken>();

  private constructor(
    private readonly key: KeyObject | JWTVerifyGetKey,
    private readonly algorithms: readonly SupportedAlgorithm[],
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  /** @throws InvalidConfigError when no key, two keys or an unusable key file are configured. */
  static fromConfig(config: AuthConfig): TokenVerifier {
    assertAuthConfigured(config);
    let algorithms: SupportedAlgorithm[];
    try {
      algorithms = parseAlgorithms(config.AUTH_ALGORITHMS);
    } catch (error) {
      throw new InvalidConfigError('AUTH_ALGORITHMS', (error as Error).message);
    }
    if (present(config.AUTH_JWKS_URL)) {
      // Fetched on first use, cached, refetched (with a cooldown) for an unknown `kid`.
      return new TokenVerifier(createRemoteJWKSet(new URL(config.AUTH_JWKS_URL)), algorithms, config.AUTH_ISSUER, config.AUTH_AUDIENCE);
    }
    try {
      const local = loadPublicKeyFile(config.AUTH_PUBLIC_KEY_FILE!, algorithms);
      return new TokenVerifier(local.key, [local.algorithm], config.AUTH_ISSUER, config.AUTH_AUDIENCE);
    } catch (error) {
      throw new InvalidConfigError('AUTH_PUBLIC_KEY_FILE', (error as Error).message);
    }
  }

  /**
   * The principal of a valid token: signature by the configured key with an allowed algorithm,
   * `iss` and `aud` as configured, `exp` required and not past, `nbf` (if any) reached, both with
   * {@link AUTH_CLOCK_TOLERANCE_S}; `sub`, the tenant claim and `roles` well formed.
   *
   * @throws TokenRejectedError (401) or TokenVerificationUnavailableError (503).
   */
  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known) {
      const tolerance = AUTH_CLOCK_TOLERANCE_S * 1000;
      if (now < known.reuseUntil && now <= known.expiresAt + tolerance && now >= known.notBefore - tolerance) return known.principal;
      this.verified.delete(token);
    }
    return this.verifySignatureAndClaims(token);
  }

  private async verifySignatureAndClaims(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as KeyObject, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: [...this.algorithms],
        clockTolerance: AUTH_CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw translate(error);
    }
    const principal = principalFrom(payload);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, {
      principal,
      expiresAt: payload.exp! * 1000,
      notBefore: (payload.nbf ?? 0) * 1000,
      reuseUntil: Date.now() + VERIFIED_CACHE_TTL_MS,
    });
    return principal;
  }
}

function translate(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new TokenRejectedError('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new TokenRejectedError(`invalid token: ${error.claim} claim ${error.reason === 'missing' ? 'missing' : 'rejected'}`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRejectedError('invalid token: bad signature');
  if (error instanceof errors.JOSEAlgNotAllowed) return new TokenRejectedError('invalid token: signature algorithm not allowed');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return new TokenRejectedError('invalid token: no matching signing key');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return new TokenVerificationUnavailableError(`token keys unavailable: ${error.message}`);
  if (error instanceof errors.JOSEError) return new TokenRejectedError('invalid token: malformed');
  // Not a JOSE error: fetching the JWKS failed (network), nothing the client did.
  return new TokenVerificationUnavailableError(`token keys unavailable: ${(error as Error)?.message ?? String(error)}`);
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function principalFrom(payload: JWTPayload): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject.length < 1 || subject.length > 64 || CONTROL.test(subject)) {
    throw new TokenRejectedError('invalid token: sub claim must be 1–64 characters without control characters');
  }
  const tenant = payload[TENANT_CLAIM];
  if (typeof tenant !== 'string' || !TENANT_ID_PATTERN.test(tenant)) {
    throw new TokenRejectedError(`invalid token: ${TENANT_CLAIM} claim missing or not a tenant id (${TENANT_ID_PATTERN.source})`);
  }
  const roles = payload[ROLES_CLAIM];
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw new TokenRejectedError(`invalid token: ${ROLES_CLAIM} claim must be an array of role names`);
  }
  return { subject, tenant, roles: (ROLES as readonly string[]).filter((role) => roles.includes(role)) as Role[] };
}
