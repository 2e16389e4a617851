import 'reflect-metadata';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { nkeys } from '@nats-io/nats-core';
import { Expose } from 'class-transformer';
import { IsOptional, IsString, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { present, RequiresKey } from './key.validators.js';
import { ListenConfig } from './listen.config.js';

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

/** The NATS connection: servers, authentication and TLS. Chained after ListenConfig (see BaseServiceConfig). */
export class NatsConfig extends ListenConfig {
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
}
