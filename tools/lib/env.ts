/**
 * The one environment reader of the tools (npm start, npm run platform / provision / outbox /
 * observe / k8s:secrets, the benchmarks and the chaos suite). The keys and their meaning are the
 * services' own (docs/configuration.md): a blank value counts as unset, as in the services; a value
 * that cannot be used is a {@link UsageError} naming its key (exit 2).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NatsConnectionOptions } from '@platform/events';
import { UsageError } from './cli.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The repository's root (where `.data/` lives): the nearest folder above this file whose
 * package.json declares the workspaces. Found, not counted in `../`: the provisioner also runs
 * compiled, from tools/dist/lib/ (in the image, /app).
 */
export const REPO_ROOT = workspaceRoot(dirname(fileURLToPath(import.meta.url)));

function workspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if ('workspaces' in JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))) return `${dir}${sep}`;
    } catch {
      // no (readable) package.json here: look further up
    }
    if (dirname(dir) === dir) throw new Error(`no workspace package.json above ${from}`);
  }
}
/** The local data folder of `npm start` and the tools (`.data/`, ignored by git). */
export const DATA_DIR = join(REPO_ROOT, '.data');

/** A set, non-blank value (trimmed), or undefined. */
export function envText(env: Env, key: string): string | undefined {
  return env[key]?.trim() || undefined;
}

/**
 * An integer setting within [min, max]: `fallback` when unset, a {@link UsageError} naming the key
 * when it is not an integer in range (`BENCH_SECONDS must be an integer from 1, got "ten"`).
 */
export function envInteger(env: Env, key: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}): number {
  const raw = envText(env, key);
  if (raw === undefined) return fallback;
  if (!/^-?[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${key} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${raw}"`);
  }
  return Number(raw);
}

/** A comma-separated list setting (blank entries dropped): `fallback` when unset. */
export function envList(env: Env, key: string, fallback: readonly string[]): string[] {
  const raw = envText(env, key);
  return raw === undefined ? [...fallback] : raw.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * A comma-separated list of integers within [min, max] (blank entries dropped): `fallback` when
 * unset, a {@link UsageError} naming the key when an entry is not one (`BENCH_RATES must be
 * comma-separated integers from 1, got "10,x"`).
 */
export function envIntegerList(env: Env, key: string, fallback: readonly number[], { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}): number[] {
  const raw = envText(env, key);
  if (raw === undefined) return [...fallback];
  const items = envList(env, key, []);
  if (items.length === 0 || items.some((item) => !/^-?[0-9]+$/.test(item) || Number(item) < min || Number(item) > max)) {
    throw new UsageError(`${key} must be comma-separated integers from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${raw}"`);
  }
  return items.map(Number);
}

export type NatsSettings = Omit<NatsConnectionOptions, 'service'>;

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/** The NATS credential keys: at most one method (NATS_CREDS, NATS_NKEY_SEED_FILE, NATS_USER + NATS_PASSWORD). */
export const NATS_AUTH_KEYS = ['NATS_CREDS', 'NATS_NKEY_SEED_FILE', 'NATS_USER', 'NATS_PASSWORD'] as const;
export const NATS_TLS_KEYS = ['NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY'] as const;

/**
 * The NATS connection settings in `env`, with the services' keys: NATS_URL (default
 * nats://127.0.0.1:4222, comma-separated for a cluster), at most one of NATS_CREDS /
 * NATS_NKEY_SEED_FILE / NATS_USER + NATS_PASSWORD, NATS_TLS_CA / NATS_TLS_CERT + NATS_TLS_KEY
 * (paths). The library's connectNats checks the pairs, the single auth method and the files; its
 * refusal (`EVT_INVALID_CONFIG`) names the key.
 */
export function readNatsSettings(env: Env = process.env): NatsSettings {
  const tls = { caFile: envText(env, 'NATS_TLS_CA'), certFile: envText(env, 'NATS_TLS_CERT'), keyFile: envText(env, 'NATS_TLS_KEY') };
  return {
    url: envText(env, 'NATS_URL') ?? DEFAULT_NATS_URL,
    credsFile: envText(env, 'NATS_CREDS'),
    nkeySeedFile: envText(env, 'NATS_NKEY_SEED_FILE'),
    user: envText(env, 'NATS_USER'),
    // a password is taken as given: surrounding spaces may be part of it
    password: env['NATS_PASSWORD'] || undefined,
    ...(tls.caFile || tls.certFile || tls.keyFile ? { tls } : {}),
    timeoutMs: 5_000,
  };
}

/** A service's database as its own config names it: DATABASE_URL (PostgreSQL), else DATA_DIR (PGlite). */
export interface DatabaseTarget {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
}

/** The database of `env` (DATABASE_URL wins over DATA_DIR, as in the services); a {@link UsageError} when neither is set. */
export function readDatabaseTarget(env: Env = process.env): DatabaseTarget {
  const databaseUrl = envText(env, 'DATABASE_URL');
  if (databaseUrl) return { databaseUrl };
  const dataDir = envText(env, 'DATA_DIR');
  if (dataDir) return { dataDir };
  throw new UsageError('set DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite folder) of the service');
}
