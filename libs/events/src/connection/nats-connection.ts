import { readFile } from 'node:fs/promises';
import {
  AuthorizationError,
  credsAuthenticator,
  TimeoutError,
  nkeyAuthenticator,
  nkeys,
  usernamePasswordAuthenticator,
  type Authenticator,
  type NatsConnection,
  type TlsOptions,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { InvalidConfigError } from '../errors.js';

/** TLS files of a NATS connection (paths; the client reads them). CERT and KEY go together. */
export interface NatsTlsOptions {
  /** CA certificate(s) that sign the server's certificate (`NATS_TLS_CA`). Unset: the system CAs. */
  readonly caFile?: string;
  /** Client certificate for mutual TLS (`NATS_TLS_CERT`), with `keyFile`. */
  readonly certFile?: string;
  /** Private key of the client certificate (`NATS_TLS_KEY`), with `certFile`. */
  readonly keyFile?: string;
}

/**
 * Authentication: at most one of `credsFile`, `nkeySeedFile`, `user` + `password` (or `token`);
 * none = anonymous. A file that cannot be read or holds no valid key is an
 * {@link InvalidConfigError} naming its key; a refusal by the server is a
 * {@link NatsAuthenticationError} naming it.
 */
export interface NatsConnectionOptions {
  /** Comma-separated server URLs, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** The service's name: the connection name and the private inbox prefix `_INBOX_<service>`. */
  readonly service: string;
  /** Path to a `.creds` file (user JWT + NKey seed), `NATS_CREDS`: decentralised (operator/JWT) auth. */
  readonly credsFile?: string;
  /** Path to a file holding a user NKey seed (`SU…`), `NATS_NKEY_SEED_FILE`: nkey auth. */
  readonly nkeySeedFile?: string;
  /** `NATS_USER`, with `password`. */
  readonly user?: string;
  /** `NATS_PASSWORD`, with `user`. */
  readonly password?: string;
  readonly token?: string;
  /** TLS: set it (even `{}`) to require TLS with the given CA / client certificate. */
  readonly tls?: NatsTlsOptions;
  /** Keep retrying the first connection instead of failing at once. Default false. */
  readonly waitOnFirstConnect?: boolean;
  /** How long the first connection may take, milliseconds. Default the client's (20 s). */
  readonly timeoutMs?: number;
}

/** The server refused the connection's credentials; `key` names the config key(s) involved. */
export class NatsAuthenticationError extends Error {
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`NATS authentication failed (${key}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'NatsAuthenticationError';
  }
}

/** The config key(s) of the authentication method `options` use, e.g. `NATS_USER/NATS_PASSWORD`; `anonymous` for none. */
export function natsAuthKey(options: Pick<NatsConnectionOptions, 'credsFile' | 'nkeySeedFile' | 'user' | 'password' | 'token'>): string {
  if (options.credsFile) return 'NATS_CREDS';
  if (options.nkeySeedFile) return 'NATS_NKEY_SEED_FILE';
  if (options.user || options.password) return 'NATS_USER/NATS_PASSWORD';
  if (options.token) return 'NATS_TOKEN';
  return 'anonymous: none of NATS_CREDS, NATS_NKEY_SEED_FILE, NATS_USER/NATS_PASSWORD set';
}

/**
 * Problems of a set of auth/TLS settings, each naming its key: user and password (and TLS cert
 * and key) go together, at most one auth method. Files are not touched (see
 * {@link natsSeedProblem}, {@link natsCredsProblem}).
 */
export function natsOptionsProblems(options: Omit<NatsConnectionOptions, 'url' | 'service'>): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  if (options.user && !options.password) problems.push({ key: 'NATS_USER', message: 'set without NATS_PASSWORD (both or neither)' });
  if (options.password && !options.user) problems.push({ key: 'NATS_PASSWORD', message: 'set without NATS_USER (both or neither)' });
  const methods = [options.credsFile && 'NATS_CREDS', options.nkeySeedFile && 'NATS_NKEY_SEED_FILE', (options.user || options.password) && 'NATS_USER/NATS_PASSWORD'].filter(
    (method): method is string => Boolean(method),
  );
  if (methods.length > 1) problems.push({ key: methods[0]!, message: `at most one NATS auth method may be set, got ${methods.join(' and ')}` });
  if (options.tls?.certFile && !options.tls.keyFile) problems.push({ key: 'NATS_TLS_CERT', message: 'set without NATS_TLS_KEY (both or neither)' });
  if (options.tls?.keyFile && !options.tls.certFile) problems.push({ key: 'NATS_TLS_KEY', message: 'set without NATS_TLS_CERT (both or neither)' });
  return problems;
}

/** Why `text` is not a user NKey seed (`SU…`), or undefined. The seed itself is never echoed. */
export function natsSeedProblem(text: string): string | undefined {
  const seed = text.trim();
  if (!seed) return 'the file is empty';
  try {
    const pair = nkeys.fromSeed(new TextEncoder().encode(seed));
    if (!pair.getPublicKey().startsWith('U')) return 'the file holds an NKey seed that is not a user seed (SU…)';
    return undefined;
  } catch {
    return 'the file does not hold a valid NKey seed (SU…)';
  }
}

const CREDS_BLOCK = /-{3,}[^\n]*-{3,}\r?\n\s*([\w\-.=]+)\s*\r?\n-{3,}[^\n]*-{3,}/g;

/** Why `text` is not a `.creds` file (a user JWT block then an NKey seed block), or undefined. */
export function natsCredsProblem(text: string): string | undefined {
  const blocks = [...text.matchAll(CREDS_BLOCK)].map((match) => match[1]!);
  if (blocks.length < 2) return 'the file is not a .creds file (a NATS USER JWT block and a USER NKEY SEED block)';
  const seedProblem = natsSeedProblem(blocks[1]!);
  return seedProblem ? seedProblem.replace('the file', 'the seed block') : undefined;
}

async function readKeyFile(key: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InvalidConfigError(key, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function authenticatorOf(options: NatsConnectionOptions): Promise<Authenticator | undefined> {
  if (options.credsFile) {
    const creds = await readKeyFile('NATS_CREDS', options.credsFile);
    const problem = natsCredsProblem(new TextDecoder().decode(creds));
    if (problem) throw new InvalidConfigError('NATS_CREDS', `${options.credsFile}: ${problem}`);
    return credsAuthenticator(creds);
  }
  if (options.nkeySeedFile) {
    const text = new TextDecoder().decode(await readKeyFile('NATS_NKEY_SEED_FILE', options.nkeySeedFile));
    const problem = natsSeedProblem(text);
    if (problem) throw new InvalidConfigError('NATS_NKEY_SEED_FILE', `${options.nkeySeedFile}: ${problem}`);
    return nkeyAuthenticator(new TextEncoder().encode(text.trim()));
  }
  if (options.user) return usernamePasswordAuthenticator(options.user, options.password);
  return undefined;
}

async function tlsOf(tls: NatsTlsOptions | undefined): Promise<TlsOptions | undefined> {
  if (!tls) return undefined;
  // Read here (not by the client) so that an unreadable file names its key.
  const text = async (key: string, path: string | undefined) => (path ? new TextDecoder().decode(await readKeyFile(key, path)) : undefined);
  const [ca, cert, key] = await Promise.all([text('NATS_TLS_CA', tls.caFile), text('NATS_TLS_CERT', tls.certFile), text('NATS_TLS_KEY', tls.keyFile)]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/**
 * Connect a service to NATS: reconnect forever (the outbox keeps events while NATS is away, the
 * consumers resume), and answer requests on a private inbox prefix so that a least-privilege
 * user may be allowed `_INBOX_<service>.>` and nothing of other services' replies.
 *
 * @throws InvalidConfigError for a bad URL or auth/TLS setting (naming the key), NatsAuthenticationError
 *   when the server refuses the credentials (naming the auth key), the client's error otherwise.
 */
export async function connectNats(options: NatsConnectionOptions): Promise<NatsConnection> {
  const servers = options.url.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new InvalidConfigError('NATS_URL', 'no server URL given');
  for (const server of servers) {
    if (!/^(nats|tls|wss?):\/\/[^\s]+$|^[^\s:/]+:\d+$/.test(server)) {
      throw new InvalidConfigError('NATS_URL', `"${server}" is not a nats://host:port URL`);
    }
  }
  const [problem] = natsOptionsProblems(options);
  if (problem) throw new InvalidConfigError(problem.key, problem.message);
  const authenticator = await authenticatorOf(options);
  const tls = await tlsOf(options.tls);
  try {
    return await connect({
      servers,
      name: options.service,
      inboxPrefix: `_INBOX_${options.service}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: options.waitOnFirstConnect ?? false,
      // Capturing an async stack for every request (each publish) costs a third of the publish
      // throughput; errors still carry their message and code.
      noAsyncTraces: true,
      ...(authenticator ? { authenticator } : {}),
      ...(options.token && !authenticator ? { token: options.token } : {}),
      ...(tls ? { tls } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    });
  } catch (error) {
    if (error instanceof AuthorizationError) throw new NatsAuthenticationError(natsAuthKey(options), error);
    // A server that refuses the client certificate closes the socket after the handshake: the
    // client sees a timeout. Name the TLS keys in what would otherwise be a bare "timeout".
    if (options.tls && (error instanceof TimeoutError || /certificate|tls|ssl|handshake/i.test((error as Error).message))) {
      const keys = Object.entries({ NATS_TLS_CA: options.tls.caFile, NATS_TLS_CERT: options.tls.certFile, NATS_TLS_KEY: options.tls.keyFile })
        .filter(([, path]) => path)
        .map(([key]) => key);
      throw new Error(`NATS TLS connection failed (${keys.join(', ') || 'TLS required, no NATS_TLS_* file set'}): ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}
