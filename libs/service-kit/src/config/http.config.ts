import 'reflect-metadata';
import { Expose } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { loadPublicKeyFile, parseAlgorithms } from '../auth/auth-keys.js';
import { EventsConfig } from './events.config.js';
import { NotWithKey } from './key.validators.js';

/** Why `value` is not an allowed JWKS URL, or undefined: https, or http to the loopback interface only. */
function jwksUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https:// URL';
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return undefined;
  return 'must be an https:// URL (http:// only to localhost)';
}

function IsJwksUrl() {
  return ValidateBy({
    name: 'isJwksUrl',
    validator: {
      validate: (value: unknown) => jwksUrlProblem(value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `AUTH_JWKS_URL ${jwksUrlProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}

/** Why the file is not a usable token verification key (given AUTH_ALGORITHMS), or undefined. */
function publicKeyFileProblem(value: unknown, object: Record<string, unknown>): string | undefined {
  if (typeof value !== 'string') return 'must be a file path';
  let algorithms;
  try {
    algorithms = parseAlgorithms(String(object['AUTH_ALGORITHMS'] ?? ''));
  } catch {
    return undefined; // AUTH_ALGORITHMS reports its own error
  }
  try {
    loadPublicKeyFile(value, algorithms);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function IsPublicKeyFile() {
  return ValidateBy({
    name: 'isPublicKeyFile',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => publicKeyFileProblem(value, args?.object as Record<string, unknown>) === undefined,
      defaultMessage: (args?: ValidationArguments) => publicKeyFileProblem(args?.value, args?.object as Record<string, unknown>) ?? 'is not a usable public key file',
    },
  });
}

function IsAlgorithmList() {
  const problem = (value: unknown) => {
    try {
      parseAlgorithms(String(value ?? ''));
      return undefined;
    } catch (error) {
      return `AUTH_ALGORITHMS: ${(error as Error).message}`;
    }
  };
  return ValidateBy({
    name: 'isAlgorithmList',
    validator: { validate: (value: unknown) => problem(value) === undefined, defaultMessage: (args?: ValidationArguments) => problem(args?.value) ?? 'invalid' },
  });
}

/** HTTP requests: authentication and timeouts. The last of the config classes BaseServiceConfig chains. */
export class HttpConfig extends EventsConfig {
  // HTTP authentication (docs/security.md): every route but /health/* and /metrics needs a bearer
  // JWT. Exactly one key source: AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE; with neither the service
  // refuses to start (there is no unauthenticated mode).

  /** Required `iss` of API tokens. */
  @Expose()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  AUTH_ISSUER: string = 'jetstream-platform';

  /** Required `aud` of API tokens (one of the token's audiences). */
  @Expose()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  AUTH_AUDIENCE: string = 'jetstream-platform';

  /** Production: the identity provider's JWKS (https://…/.well-known/jwks.json), fetched and cached; keys rotate by `kid`. */
  @Expose()
  @IsOptional()
  @IsJwksUrl()
  @NotWithKey('AUTH_PUBLIC_KEY_FILE')
  AUTH_JWKS_URL?: string;

  /** Development: path of a public key file (a public JWK or a PEM `PUBLIC KEY`, Ed25519 or P-256); `npm start` creates `.data/auth/signing-key.public.jwk`. */
  @Expose()
  @IsOptional()
  @IsString()
  @IsPublicKeyFile()
  @NotWithKey('AUTH_JWKS_URL')
  AUTH_PUBLIC_KEY_FILE?: string;

  /** Accepted token signature algorithms, comma-separated (asymmetric only: EdDSA, ES256/384/512, RS256/384/512, PS256/384/512). */
  @Expose()
  @IsString()
  @IsAlgorithmList()
  AUTH_ALGORITHMS: string = 'EdDSA,ES256';

  /** Longest time to receive a whole HTTP request (headers and body), milliseconds; then 408. */
  @Expose()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30_000;

  /** An HTTP connection idle this long is closed, milliseconds (socket inactivity; 0 = never). */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  HTTP_CONNECTION_TIMEOUT_MS: number = 120_000;

  /** A keep-alive connection without a request for this long is closed, milliseconds (keep it above a load balancer's idle timeout). */
  @Expose()
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 72_000;
}
