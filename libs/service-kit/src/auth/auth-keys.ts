import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Signature algorithms a deployment may allow (`AUTH_ALGORITHMS`): asymmetric only, never `none` or HMAC. */
export const SUPPORTED_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** The algorithms of an `AUTH_ALGORITHMS` value (comma-separated), or the first bad name as an error. */
export function parseAlgorithms(value: string): SupportedAlgorithm[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new Error('must name at least one algorithm');
  for (const name of names) {
    if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(name)) throw new Error(`${name} is not one of ${SUPPORTED_ALGORITHMS.join(', ')}`);
  }
  return names as SupportedAlgorithm[];
}

export interface LocalPublicKey {
  readonly key: KeyObject;
  /** The one algorithm tokens signed with this key use. */
  readonly algorithm: SupportedAlgorithm;
}

/** The algorithm that `key` verifies, or undefined for a key type the platform does not take. */
function algorithmOf(key: KeyObject, jwkAlg: unknown): SupportedAlgorithm | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : undefined;
  }
  if (type === 'rsa' || type === 'rsa-pss') {
    // An RSA key fits several algorithms: the JWK's "alg" decides, RS256 otherwise.
    return typeof jwkAlg === 'string' && /^(RS|PS)(256|384|512)$/.test(jwkAlg) ? (jwkAlg as SupportedAlgorithm) : 'RS256';
  }
  return undefined;
}

/**
 * The public key in `path` (`AUTH_PUBLIC_KEY_FILE`): a public JWK (JSON) or a PEM `PUBLIC KEY`
 * (SPKI). Ed25519 (EdDSA) and P-256 (ES256) are the usual choices; a private key is refused, so
 * that a signing key is never handed to the services by mistake.
 *
 * @throws Error saying what is wrong with the file (never its content).
 */
export function loadPublicKeyFile(path: string, allowed: readonly SupportedAlgorithm[]): LocalPublicKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? (error as Error).message})`);
  }
  let key: KeyObject;
  let jwkAlg: unknown;
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new Error(`${path} is neither a JSON Web Key nor a PEM public key`);
    }
    if ('d' in jwk || 'p' in jwk) throw new Error(`${path} holds a private key: give the services the public key only`);
    jwkAlg = jwk['alg'];
    try {
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch (error) {
      throw new Error(`${path} is not a valid public JWK (${(error as Error).message})`);
    }
  } else {
    if (/PRIVATE KEY-----/.test(trimmed)) throw new Error(`${path} holds a private key: give the services the public key only`);
    if (!/^-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(trimmed)) throw new Error(`${path} is neither a JSON Web Key nor a PEM public key`);
    try {
      key = createPublicKey(trimmed);
    } catch (error) {
      throw new Error(`${path} is not a valid PEM public key (${(error as Error).message})`);
    }
  }
  const algorithm = algorithmOf(key, jwkAlg);
  if (algorithm === undefined) throw new Error(`${path} holds a ${key.asymmetricKeyType} key; use Ed25519 (EdDSA) or P-256 (ES256)`);
  if (!allowed.includes(algorithm)) throw new Error(`${path} holds a key for ${algorithm}, which AUTH_ALGORITHMS (${allowed.join(',')}) does not allow`);
  return { key, algorithm };
}
