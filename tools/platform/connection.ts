/**
 * The one place the CLI reads its NATS settings, with the same keys and checks as the services and
 * tools/provision.mjs: NATS_URL, at most one of NATS_CREDS / NATS_NKEY_SEED_FILE /
 * NATS_USER + NATS_PASSWORD, NATS_TLS_CA / NATS_TLS_CERT + NATS_TLS_KEY (paths). The library's
 * connectNats checks pairs, the single auth method and the files; a bad setting names its key
 * (exit 2), a refused or unreachable server is a NATS failure (exit 1).
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { NatsConnectionOptions } from '@platform/events';
import { OperationError, UsageError } from './args.js';
import { loadEvents } from './events.js';

export type NatsSettings = Omit<NatsConnectionOptions, 'service'>;

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** The connection settings in `env`; empty values count as unset, as in the services. */
export function readNatsSettings(env: NodeJS.ProcessEnv = process.env): NatsSettings {
  const value = (key: string) => env[key]?.trim() || undefined;
  const tls = { caFile: value('NATS_TLS_CA'), certFile: value('NATS_TLS_CERT'), keyFile: value('NATS_TLS_KEY') };
  return {
    url: value('NATS_URL') ?? DEFAULT_NATS_URL,
    credsFile: value('NATS_CREDS'),
    nkeySeedFile: value('NATS_NKEY_SEED_FILE'),
    user: value('NATS_USER'),
    password: env['NATS_PASSWORD'] || undefined,
    ...(tls.caFile || tls.certFile || tls.keyFile ? { tls } : {}),
    timeoutMs: 5_000,
  };
}

export interface NatsHandle {
  readonly url: string;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function openNats(settings: NatsSettings = readNatsSettings()): Promise<NatsHandle> {
  // loaded here, not at the top: the events library takes a moment, and help and typos need none of it
  const { connectNats } = await loadEvents();
  let nc: NatsConnection;
  try {
    nc = await connectNats({ ...settings, service: 'platform-cli' });
  } catch (error) {
    if ((error as { code?: string }).code === 'EVT_INVALID_CONFIG') throw new UsageError((error as Error).message);
    throw new OperationError(`cannot connect to NATS at ${settings.url}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const jsm = await jetstreamManager(nc);
    return { url: settings.url, nc, js: jetstream(nc), jsm, close: () => nc.close().catch(() => undefined) };
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw new OperationError(`JetStream is not available at ${settings.url}: ${(error as Error).message}`, { cause: error });
  }
}
