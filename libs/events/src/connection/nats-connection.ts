import { readFile } from 'node:fs/promises';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { InvalidConfigError } from '../errors.js';

export interface NatsConnectionOptions {
  /** Comma-separated server URLs, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** The service's name: the connection name and the private inbox prefix `_INBOX_<service>`. */
  readonly service: string;
  /** Path to a `.creds` file (JWT + nkey seed); takes precedence over user/password. */
  readonly credsFile?: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** Keep retrying the first connection instead of failing at once. Default false. */
  readonly waitOnFirstConnect?: boolean;
}

/**
 * Connect a service to NATS: reconnect forever (the outbox keeps events while NATS is away, the
 * consumers resume), and answer requests on a private inbox prefix so that a least-privilege
 * user may be allowed `_INBOX_<service>.>` and nothing of other services' replies.
 */
export async function connectNats(options: NatsConnectionOptions): Promise<NatsConnection> {
  const servers = options.url.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new InvalidConfigError('NATS_URL', 'no server URL given');
  for (const server of servers) {
    if (!/^(nats|tls|wss?):\/\/[^\s]+$|^[^\s:/]+:\d+$/.test(server)) {
      throw new InvalidConfigError('NATS_URL', `"${server}" is not a nats://host:port URL`);
    }
  }
  const creds = options.credsFile ? await readFile(options.credsFile) : undefined;
  return connect({
    servers,
    name: options.service,
    inboxPrefix: `_INBOX_${options.service}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
    // Capturing an async stack for every request (each publish) costs a third of the publish
    // throughput; errors still carry their message and code.
    noAsyncTraces: true,
    ...(creds ? { authenticator: credsAuthenticator(creds) } : {}),
    ...(options.user ? { user: options.user, pass: options.password } : {}),
    ...(options.token ? { token: options.token } : {}),
  });
}
