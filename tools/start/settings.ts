// What `npm start` reads from its environment, read in one place, and its fixed settings.
import { join, relative, resolve } from 'node:path';
import type { PlatformService } from '@platform/contracts';
import { DATA_DIR, envText as text, NATS_AUTH_KEYS, NATS_TLS_KEYS, REPO_ROOT, type Env } from '../lib/env.js';

export { DATA_DIR, NATS_AUTH_KEYS, NATS_TLS_KEYS };
/** The repository's root (where .data/ lives). */
export const root = REPO_ROOT;
export const NATS_DIR = join(DATA_DIR, 'nats');

/**
 * The port each service listens on by default (its config class, apps/<service>/src/config.ts):
 * npm start does not set PORT, it reads readiness there. The services themselves are
 * `PlatformService` (tools/service-list.spec.ts checks both).
 */
export const DEFAULT_PORTS: Readonly<Record<PlatformService, number>> = {
  order: 3000,
  payment: 3001,
  inventory: 3002,
  notification: 3003,
  analytics: 3004,
  loyalty: 3005,
};

/** Per-service settings that would collide on one machine: each service uses its own default. */
export const PER_SERVICE_KEYS = ['PORT', 'DATA_DIR', 'DATABASE_URL'] as const;
export const PROVISIONER = 'provisioner';
export const OPERATOR = 'operator';

export const NATS_START_TIMEOUT_MS = 10_000;
export const NATS_STOP_GRACE_MS = 10_000;
export const EARLY_EXIT_WINDOW_MS = 10_000;
export const STOP_GRACE_MS = 30_000;
export const READY_TIMEOUT_MS = 120_000;

export interface StartSettings {
  /** NATS_URL: a server run elsewhere; unset, npm start runs its own. */
  readonly externalNatsUrl?: string;
  /** NATS_IDENTITIES_DIR as given (trimmed), or undefined. */
  readonly identitiesDirGiven?: string;
  /** Where the identities' seed files are: NATS_IDENTITIES_DIR, or .data/nats/identities. */
  readonly identitiesDir: string;
  /** NATS_SERVER_BIN, or `nats-server` (looked up on PATH). */
  readonly natsServerBin: string;
  /** NATS_* credentials in the environment, which npm start replaces by each process's own identity. */
  readonly ignoredNatsKeys: readonly string[];
  /** PORT, DATA_DIR, DATABASE_URL when set at all (even blank). */
  readonly ignoredServiceKeys: readonly string[];
  /** Colour the service prefixes (a terminal, and no NO_COLOR). */
  readonly colour: boolean;
}

export function readStartSettings(env: Env = process.env, isTTY = process.stdout.isTTY === true): StartSettings {
  const externalNatsUrl = text(env, 'NATS_URL');
  const identitiesDirGiven = text(env, 'NATS_IDENTITIES_DIR');
  return {
    externalNatsUrl,
    identitiesDirGiven,
    identitiesDir: identitiesDirGiven ? resolve(identitiesDirGiven) : join(NATS_DIR, 'identities'),
    natsServerBin: env['NATS_SERVER_BIN'] || 'nats-server',
    // npm start's own server is plain TCP on loopback; an external one keeps the NATS_TLS_* given.
    ignoredNatsKeys: [...NATS_AUTH_KEYS, ...(externalNatsUrl ? [] : NATS_TLS_KEYS)].filter((key) => text(env, key)),
    ignoredServiceKeys: PER_SERVICE_KEYS.filter((key) => env[key] !== undefined),
    colour: isTTY && !env['NO_COLOR'],
  };
}

export const say = (message: string): void => console.log(`[start] ${message}`);
/** A path under the repository relative to it (as the messages show them). */
export const shown = (path: string): string => (path.startsWith(root) ? relative(root, path) : path);
