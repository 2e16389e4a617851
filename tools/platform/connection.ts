/**
 * The CLI's NATS connection, with the settings of the tools' one environment reader
 * (tools/lib/env.ts: the services' keys). The library's connectNats checks pairs, the single auth
 * method and the files; a bad setting names its key (exit 2), a refused or unreachable server is a
 * NATS failure (exit 1).
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { readNatsSettings, type NatsSettings } from '../lib/env.js';
import { OperationError, UsageError } from './args.js';
import { loadEvents } from '../lib/libraries.js';

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
