import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '../auth/principal.js';
import { ROLES_CLAIM, TENANT_CLAIM } from '../auth/token-verifier.js';

export const TEST_AUTH_ISSUER = 'jetstream-platform-test';
export const TEST_AUTH_AUDIENCE = 'jetstream-platform-test';

export interface TestTokenOptions {
  /** The tenant claim. */
  readonly tenant: string;
  /** The `roles` claim. */
  readonly roles: readonly string[];
  /** `sub`; default `operator-1` for an operator token, otherwise `c-1`. */
  readonly sub?: string;
  /** Lifetime from now, seconds (default 300); negative: already expired. */
  readonly ttlSeconds?: number;
  /** `nbf`, seconds from now. */
  readonly notBeforeSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string | readonly string[];
  /** Extra claims, or replacements; a claim set to `undefined` is left out (e.g. `{ exp: undefined }`). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The JWS `alg` header (default: the key's). Only for tests of refused algorithms. */
  readonly alg?: string;
}

/** A signing key pair for tests: the services verify with its public key file, tests mint tokens with it. */
export interface TestAuth {
  /** `AUTH_PUBLIC_KEY_FILE`, `AUTH_ISSUER`, `AUTH_AUDIENCE` for a service that accepts these tokens. */
  readonly env: Readonly<Record<'AUTH_PUBLIC_KEY_FILE' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE', string>>;
  readonly publicKeyFile: string;
  readonly issuer: string;
  readonly audience: string;
  /** A signed JWT (compact form). */
  token(options: TestTokenOptions): string;
  /** A token of the `operator` role of `tenant`. */
  operator(tenant: string, sub?: string): string;
  /** A token of the `customer` role of `tenant` whose `sub` is `customerId`. */
  customer(tenant: string, customerId: string): string;
  /** `{ authorization: 'Bearer <token>' }`. */
  bearer(token: string): { authorization: string };
  /** Delete the key files. */
  dispose(): void;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Sign `payload` as a compact JWS with `key` (Ed25519 → EdDSA, P-256 → ES256), synchronously. */
export function signJwt(payload: Readonly<Record<string, unknown>>, key: KeyObject, header: Readonly<Record<string, unknown>> = {}): string {
  const alg = key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${base64url(JSON.stringify(payload))}`;
  const signature = alg === 'EdDSA' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}

/**
 * A fresh key pair (Ed25519, or P-256 with `algorithm: 'ES256'`) whose public JWK is written to a
 * temporary file (or into `dir`). Tokens carry `iss`/`aud` {@link TEST_AUTH_ISSUER} unless told otherwise.
 */
export function createTestAuth(options: { readonly algorithm?: 'EdDSA' | 'ES256'; readonly dir?: string; readonly issuer?: string; readonly audience?: string } = {}): TestAuth {
  const { publicKey, privateKey } = options.algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'platform-auth-'));
  const publicKeyFile = join(dir, `auth-${randomUUID().slice(0, 8)}.public.jwk`);
  writeFileSync(publicKeyFile, `${JSON.stringify({ ...publicKey.export({ format: 'jwk' }), use: 'sig' })}\n`, { mode: 0o644 });
  const issuer = options.issuer ?? TEST_AUTH_ISSUER;
  const audience = options.audience ?? TEST_AUTH_AUDIENCE;
  const token = (t: TestTokenOptions): string => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: t.issuer ?? issuer,
      aud: t.audience ?? audience,
      sub: t.sub ?? (t.roles.includes(Role.Operator) ? 'operator-1' : 'c-1'),
      [TENANT_CLAIM]: t.tenant,
      [ROLES_CLAIM]: [...t.roles],
      iat: now,
      exp: now + (t.ttlSeconds ?? 300),
      ...(t.notBeforeSeconds !== undefined ? { nbf: now + t.notBeforeSeconds } : {}),
      ...t.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return signJwt(claims, privateKey, t.alg ? { alg: t.alg } : {});
  };
  return {
    env: { AUTH_PUBLIC_KEY_FILE: publicKeyFile, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
    publicKeyFile,
    issuer,
    audience,
    token,
    operator: (tenant, sub) => token({ tenant, roles: [Role.Operator], sub }),
    customer: (tenant, customerId) => token({ tenant, roles: [Role.Customer], sub: customerId }),
    bearer: (jwt) => ({ authorization: `Bearer ${jwt}` }),
    dispose: () => rmSync(ownDir ? dir : publicKeyFile, { recursive: true, force: true }),
  };
}

let shared: TestAuth | undefined;

/**
 * One {@link TestAuth} per test process: `startTestService` gives its `env` to every service it
 * starts, so a test mints accepted tokens with `testAuth().operator('acme')`. Its files are
 * removed when the process exits.
 */
export function testAuth(): TestAuth {
  if (!shared) {
    const auth = createTestAuth();
    shared = auth;
    process.once('exit', () => auth.dispose());
  }
  return shared;
}
