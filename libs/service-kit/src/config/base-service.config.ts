import 'reflect-metadata';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { loadPublicKeyFile, parseAlgorithms } from '../auth/auth-keys.js';
import { Expose } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';

export const LogLevel = {
  Fatal: 'fatal',
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
  Trace: 'trace',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** `.data/<service>` under the current working directory: the default home of a service's local state. */
export function defaultDataDir(service: string): string {
  return resolve('.data', service);
}

type FileContent = 'any' | 'nkey-seed' | 'creds';

/** Why `text` is not a user NKey seed (`SU…`), or undefined; the seed is never echoed. */
function seedProblem(text: string): string | undefined {
  try {
    return nkeys.fromSeed(new TextEncoder().encode(text.trim())).getPublicKey().startsWith('U') ? undefined : 'holds an NKey seed that is not a user seed (SU…)';
  } catch {
    return 'does not hold a valid NKey seed (SU…)';
  }
}

/** Why `path` is not a readable file with the expected content, or undefined. */
function fileProblem(path: string, content: FileContent): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? (error as Error).message})`;
  }
  if (content === 'any') return undefined;
  const text = readFileSync(path, 'utf8');
  if (content === 'nkey-seed') {
    const problem = seedProblem(text);
    return problem && `${path} ${problem}`;
  }
  // A .creds file: a NATS USER JWT block, then a USER NKEY SEED block (the client's format).
  const blocks = [...text.matchAll(/-{3,}[^\n]*-{3,}\r?\n\s*([\w\-.=]+)\s*\r?\n-{3,}[^\n]*-{3,}/g)].map((match) => match[1]!);
  if (blocks.length < 2) return `${path} is not a .creds file (a NATS USER JWT block and a USER NKEY SEED block)`;
  const problem = seedProblem(blocks[1]!);
  return problem && `${path}: its seed block ${problem}`;
}

/** The value is the path of a readable file (holding a user NKey seed / a .creds file). */
function IsReadableFile(content: FileContent = 'any') {
  return ValidateBy({
    name: 'isReadableFile',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && fileProblem(value, content) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        typeof args?.value === 'string' ? (fileProblem(args.value, content) ?? `${args.value} cannot be read`) : `${args?.property} must be a file path`,
    },
  });
}

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

/** This key is set only together with `other` (both or neither). */
function RequiresKey(other: string) {
  return ValidateBy({
    name: 'requiresKey',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => present((args?.object as Record<string, unknown>)[other]),
      defaultMessage: () => `set without ${other} (both or neither)`,
    },
  });
}

const NATS_AUTH_METHODS: readonly (readonly string[])[] = [['NATS_CREDS'], ['NATS_NKEY_SEED_FILE'], ['NATS_USER', 'NATS_PASSWORD']];

function authMethodsSet(object: Record<string, unknown>): string[] {
  return NATS_AUTH_METHODS.filter((keys) => keys.some((key) => present(object[key]))).map((keys) => keys.join('/'));
}

/** At most one NATS auth method: NATS_CREDS, NATS_NKEY_SEED_FILE, or NATS_USER + NATS_PASSWORD. */
function OneNatsAuthMethod() {
  return ValidateBy({
    name: 'oneNatsAuthMethod',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => authMethodsSet(args?.object as Record<string, unknown>).length <= 1,
      defaultMessage: (args?: ValidationArguments) =>
        `at most one NATS auth method may be set, got ${authMethodsSet(args?.object as Record<string, unknown>).join(' and ')}`,
    },
  });
}

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

/**
 * This number key is at least the value of the number key `other` (a retention that must outlast
 * another one). Skipped while either is not a number: their own validators report that.
 */
export function AtLeastKey(other: string) {
  const boundOf = (args?: ValidationArguments) => (args?.object as Record<string, unknown> | undefined)?.[other];
  return ValidateBy({
    name: 'atLeastKey',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const bound = boundOf(args);
        return typeof value !== 'number' || typeof bound !== 'number' || value >= bound;
      },
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be at least ${other} (${String(boundOf(args))})`,
    },
  });
}

/** AUTH_JWKS_URL and AUTH_PUBLIC_KEY_FILE are alternatives (that neither is set is refused when the service starts). */
function NotWithKey(other: string) {
  return ValidateBy({
    name: 'notWithKey',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => !present((args?.object as Record<string, unknown>)[other]),
      defaultMessage: (args?: ValidationArguments) => `set only one of ${args?.property} and ${other}`,
    },
  });
}

/** Why `value` is not an OTLP/HTTP endpoint, or undefined: an absolute http:// or https:// URL. */
function otlpEndpointProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL (the collector\'s OTLP/HTTP endpoint, e.g. http://otel-collector:4318)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL (OTLP over HTTP), not ${url.protocol}`;
  return undefined;
}

function IsOtlpEndpoint() {
  return ValidateBy({
    name: 'isOtlpEndpoint',
    validator: {
      validate: (value: unknown) => otlpEndpointProblem(value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `OTEL_EXPORTER_OTLP_ENDPOINT ${otlpEndpointProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}

/**
 * Settings every service reads from its environment. Each app subclasses it to set its own
 * `PORT` and `DATA_DIR` defaults and to add its own keys; load it with `loadConfig()`.
 * Defaults are the property initialisers; an empty environment value counts as unset.
 */
export class BaseServiceConfig {
  /** HTTP port, 1–65535 (0 asks the OS for a free port, which tests use). Default set per app. */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(65_535)
  PORT: number = 3000;

  /** Bind address of the HTTP server. */
  @Expose()
  @IsString()
  @MinLength(1)
  HOST: string = '0.0.0.0';

  /** NATS server URL(s) with JetStream, comma-separated for a cluster. */
  @Expose()
  @IsString()
  @MinLength(1)
  NATS_URL: string = 'nats://127.0.0.1:4222';

  // NATS authentication: at most one of NATS_CREDS, NATS_NKEY_SEED_FILE, NATS_USER + NATS_PASSWORD
  // (none: anonymous). Files are checked at boot (exist, readable, hold a valid key).

  /** Path of a `.creds` file (user JWT + NKey seed) for decentralised (operator/JWT) auth. */
  @Expose()
  @IsOptional()
  @IsString()
  @IsReadableFile('creds')
  @OneNatsAuthMethod()
  NATS_CREDS?: string;

  /** Path of a file holding a user NKey seed (`SU…`) for nkey auth. */
  @Expose()
  @IsOptional()
  @IsString()
  @IsReadableFile('nkey-seed')
  @OneNatsAuthMethod()
  NATS_NKEY_SEED_FILE?: string;

  /** NATS user name, with `NATS_PASSWORD`. */
  @Expose()
  @IsOptional()
  @IsString()
  @RequiresKey('NATS_PASSWORD')
  @OneNatsAuthMethod()
  NATS_USER?: string;

  /** NATS password, with `NATS_USER`. Never echoed in error messages. */
  @Expose()
  @IsOptional()
  @IsString()
  @RequiresKey('NATS_USER')
  NATS_PASSWORD?: string;

  /** Path of the CA certificate(s) that sign the NATS server's certificate; setting any NATS_TLS_* key requires TLS. */
  @Expose()
  @IsOptional()
  @IsString()
  @IsReadableFile()
  NATS_TLS_CA?: string;

  /** Path of the client certificate for mutual TLS, with `NATS_TLS_KEY`. */
  @Expose()
  @IsOptional()
  @IsString()
  @IsReadableFile()
  @RequiresKey('NATS_TLS_KEY')
  NATS_TLS_CERT?: string;

  /** Path of the client certificate's private key, with `NATS_TLS_CERT`. */
  @Expose()
  @IsOptional()
  @IsString()
  @IsReadableFile()
  @RequiresKey('NATS_TLS_CERT')
  NATS_TLS_KEY?: string;

  /** PostgreSQL URL (`postgres://` or `postgresql://`). Unset: embedded PGlite in `DATA_DIR`. */
  @Expose()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /**
   * PostgreSQL: pooled connections of this process. It holds at most `DB_POOL_SIZE + 2` (the
   * LISTEN connection, and the outbox relay leader's lock): with the default 5, twelve processes
   * (two replicas of six services) hold at most 84 of PostgreSQL's default 100 (docs/development.md).
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(100)
  DB_POOL_SIZE: number = 5;

  /** PostgreSQL: how long a query waits for a pooled connection before failing, milliseconds. */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_ACQUIRE_TIMEOUT_MS: number = 10_000;

  /** PostgreSQL: server-side `statement_timeout` of pooled connections, milliseconds (0 = none). Keep it below the consumers' ack wait (30 s). */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS: number = 15_000;

  /** Folder for the service's local state (PGlite). Default `.data/<service>` under the working directory. */
  @Expose()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  DATA_DIR: string = defaultDataDir('service');

  /** Minimum level written to the JSON log. */
  @Expose()
  @IsIn(Object.values(LogLevel))
  LOG_LEVEL: LogLevel = LogLevel.Info;

  // Tracing (docs/observability.md#traces): spans are exported over OTLP/HTTP only when
  // OTEL_EXPORTER_OTLP_ENDPOINT is set; the SDK reads the other standard OTEL_* variables itself.

  /** Base OTLP/HTTP endpoint of a collector (e.g. `http://otel-collector:4318`); spans are POSTed to `<endpoint>/v1/traces`. Unset: no span is exported. */
  @Expose()
  @IsOptional()
  @IsOtlpEndpoint()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** `service.name` of the exported spans; default the service's name (`order`, `payment`, …). */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  OTEL_SERVICE_NAME?: string;

  /** First retry delay of a failed event handler, milliseconds (doubling with jitter per attempt). */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  EVENT_RETRY_INITIAL_MS: number = 1_000;

  /** Cap of the retry delay of a failed event handler, milliseconds. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  EVENT_RETRY_MAX_MS: number = 60_000;

  /**
   * Messages of one consumer handled together in one database transaction at most (a batch takes
   * what is ready, so a lone message is never delayed). At most 64.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_BATCH_SIZE: number = 50;

  /**
   * Batch transactions that may run at once across the service's consumers. 1 keeps handlers
   * that lock rows of several aggregates free of deadlocks between consumers.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_TRANSACTION_CONCURRENCY: number = 1;

  /**
   * Inbox rows (`events_inbox`: the event ids each consumer applied) older than this are deleted,
   * milliseconds. Default 8 days: longer than the streams' max age (7 days) and the outbox
   * retention, so no redelivery or re-published event finds its inbox record gone.
   */
  @Expose()
  @IsInt()
  @Min(1)
  EVENTS_INBOX_RETENTION_MS: number = 8 * 86_400_000;

  /**
   * Per-aggregate sequence rows (`events_consumer_sequences`) not written for this long are
   * deleted, milliseconds; at least EVENTS_INBOX_RETENTION_MS. Default 35 days: longer than the
   * DLQ's max age (30 days), so a redrive is judged against its aggregate's row, and than the
   * streams' (7 days). The next event of a pruned aggregate is applied on its final deferral
   * (counted in `events_sequence_row_missing_total`).
   */
  @Expose()
  @IsInt()
  @Min(1)
  @AtLeastKey('EVENTS_INBOX_RETENTION_MS')
  EVENTS_SEQUENCE_RETENTION_MS: number = 35 * 86_400_000;

  /** After SIGTERM/SIGINT, exit forcibly when draining takes longer than this, milliseconds. */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS: number = 25_000;

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
