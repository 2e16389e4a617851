// The local development signing key of the HTTP API, in one place (docs/security.md):
//   .data/auth/signing-key.private.jwk   Ed25519 private JWK, mode 0600: signs development tokens
//   .data/auth/signing-key.public.jwk    its public JWK: what the services verify with
// `npm start` passes devAuthEnv() to the six services; `npm run token` signs with the private key.
// Production uses an identity provider's JWKS (AUTH_JWKS_URL) instead and never sees this key.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import type { Env } from './lib/env.js';

/** Issuer and audience of development tokens: the services' defaults (AUTH_ISSUER, AUTH_AUDIENCE). */
export const DEV_ISSUER = 'jetstream-platform';
export const DEV_AUDIENCE = 'jetstream-platform';

export interface DevKeyPaths {
  readonly dir: string;
  readonly privateKey: string;
  readonly publicKey: string;
}

export function devKeyPaths(dataDir: string): DevKeyPaths {
  const dir = join(dataDir, 'auth');
  return { dir, privateKey: join(dir, 'signing-key.private.jwk'), publicKey: join(dir, 'signing-key.public.jwk') };
}

/** Create the key pair under `<dataDir>/auth` unless it is there; returns its paths. */
export function ensureDevSigningKey(dataDir: string): DevKeyPaths {
  const paths = devKeyPaths(dataDir);
  if (existsSync(paths.privateKey) && existsSync(paths.publicKey)) return paths;
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = randomUUID();
  writeFileSync(paths.privateKey, `${JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' })}\n`, { mode: 0o600 });
  chmodSync(paths.privateKey, 0o600);
  writeFileSync(paths.publicKey, `${JSON.stringify({ ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' })}\n`, { mode: 0o644 });
  return paths;
}

/**
 * The AUTH_* environment of a service verifying development tokens: the public key file (created
 * if missing) and the default issuer and audience. Empty when `env` already chooses a key
 * (AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE): the caller's choice wins.
 */
export function devAuthEnv(dataDir: string, env: Env = process.env): Partial<Record<'AUTH_PUBLIC_KEY_FILE' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE', string>> {
  if (env['AUTH_JWKS_URL'] || env['AUTH_PUBLIC_KEY_FILE']) return {};
  const { publicKey } = ensureDevSigningKey(dataDir);
  return { AUTH_PUBLIC_KEY_FILE: publicKey, AUTH_ISSUER: env['AUTH_ISSUER'] || DEV_ISSUER, AUTH_AUDIENCE: env['AUTH_AUDIENCE'] || DEV_AUDIENCE };
}

export interface DevTokenClaims {
  readonly tenant: string;
  readonly roles: readonly string[];
  readonly sub: string;
  readonly ttlSeconds: number;
  readonly issuer?: string;
  readonly audience?: string;
}

/** A development token signed with the local key: `{ sub, tenant, roles }`, `ttlSeconds` from now. */
export async function mintDevToken(dataDir: string, { tenant, roles, sub, ttlSeconds, issuer = DEV_ISSUER, audience = DEV_AUDIENCE }: DevTokenClaims): Promise<string> {
  const { privateKey } = ensureDevSigningKey(dataDir);
  const jwk = JSON.parse(readFileSync(privateKey, 'utf8')) as JWK;
  const key = await importJWK(jwk, 'EdDSA');
  return new SignJWT({ tenant, roles: [...roles] })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: jwk.kid })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
}
