import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `nats-server -js` process of a test's own, on a free loopback port, with its own store. */
export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stop the process (SIGTERM, then SIGKILL after 5 s); the store stays for `start()`. */
  stop(): Promise<void>;
  /** SIGKILL the process (a crash: no shutdown, no flush); the store stays for `start()`. */
  kill(): Promise<void>;
  /** Start it again on the same port with the same store. */
  start(): Promise<void>;
  /** Stop it and delete its store. */
  dispose(): Promise<void>;
}

export const NATS_SERVER_BIN = process.env['NATS_SERVER_BIN'] ?? 'nats-server';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestNatsServerOptions {
  /**
   * A server configuration file's text (accounts, users, …) instead of the plain `-js` flags; it
   * receives the chosen port and store folder and must listen on `127.0.0.1:<port>` and enable
   * JetStream with that store.
   */
  readonly config?: (port: number, storeDir: string) => string;
  /** The client port, chosen beforehand (e.g. a cluster node whose peers' routes name it). Default a free one. */
  readonly port?: number;
}

/** Start a JetStream-enabled nats-server on 127.0.0.1 and wait until it accepts connections. */
export async function startTestNatsServer(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
  const port = options.port ?? (await freePort());
  const storeDir = await mkdtemp(join(tmpdir(), 'nats-test-'));
  let child: ChildProcess | undefined;
  let args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
  if (options.config) {
    const configFile = join(storeDir, 'nats.conf');
    await writeFile(configFile, options.config(port, join(storeDir, 'js')));
    args = ['-c', configFile];
  }

  const start = async () => {
    const proc = spawn(NATS_SERVER_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const fail = (error: Error) => {
        clearTimeout(timer);
        proc.off('exit', onExit);
        reject(error);
      };
      const onExit = (code: number | null) => fail(new Error(`nats-server exited with ${code}: ${output}`));
      const timer = setTimeout(() => fail(new Error(`nats-server did not start on ${port}: ${output}`)), 10_000);
      proc.once('error', fail);
      proc.on('exit', onExit);
      proc.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Server is ready')) {
          clearTimeout(timer);
          proc.off('exit', onExit);
          output = '';
          resolve();
        }
      });
    });
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill(signal);
    });
    proc.stderr?.destroy();
  };
  const stop = () => terminate('SIGTERM');

  const kill = () => terminate('SIGKILL');

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    kill,
    start,
    dispose: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** A test nats-server with one plain connection to it and its JetStream client and manager. */
export interface TestJetStream {
  readonly server: TestNatsServer;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Close the connection, stop the server and delete its store. */
  close(): Promise<void>;
}

/** Start a {@link startTestNatsServer} and connect to it (no identities: the transport specs' server). */
export async function startTestJetStream(): Promise<TestJetStream> {
  const server = await startTestNatsServer();
  const nc = await connect({ servers: server.url });
  return {
    server,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    close: async () => {
      await nc.close();
      await server.dispose();
    },
  };
}
