import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumersOf } from '@platform/events';
import { PlatformService, platformTopology, type PlatformTopologyOptions } from '@platform/contracts';
import { adminQuery, freePort, TEST_DATABASE_URL } from '@platform/events/testing';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { testAuth } from '@platform/service-kit/testing';
import { ManagedProcess } from './process-runner.js';

/** The platform's services, in the topology's order (`PlatformService`). */
export const SERVICES: readonly PlatformService[] = Object.values(PlatformService);
export type ServiceName = PlatformService;

const root = new URL('../../', import.meta.url).pathname;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;

export interface PlatformOptions {
  /** Environment for every service (e.g. `ORDER_DEADLINE_MS`), after the harness's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Topology overrides for the provisioned test server (e.g. a shorter ack wait). */
  readonly topology?: PlatformTopologyOptions;
  /**
   * An already started NATS (e.g. `startPlatformTestNatsCluster()`) instead of a server of the
   * platform's own; `topology` is then ignored and `stop()` leaves it running (its owner disposes it).
   */
  readonly nats?: PlatformTestNats;
  /** `postgres` (a database per service on the test PostgreSQL server, default) or `pglite`. */
  readonly storage?: 'postgres' | 'pglite';
  /** Extra `node` flags for every service process (e.g. `--cpu-prof` when profiling). */
  readonly nodeArgs?: readonly string[];
}

/** One service process of a running platform (supervised by ./process-runner.ts, as npm start's services are). */
export class ServiceProcess {
  private process?: ManagedProcess;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process id while it runs (benchmarks read its CPU time from /proc). */
  get pid(): number | undefined {
    return this.running ? this.process!.pid : undefined;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** Spawn the built service (`apps/<name>/dist/main.js`) and wait until `/health/ready` answers 200. */
  async start(): Promise<void> {
    // In the test runner's process group (a terminal's Ctrl-C reaches the services too), output appended to the log.
    const service = ManagedProcess.spawn({
      name: this.name,
      command: process.execPath,
      args: [...this.nodeArgs, join(root, 'apps', this.name, 'dist', 'main.js')],
      cwd: root,
      env: { ...process.env, ...this.env },
      output: { file: this.logFile },
      ownGroup: false,
    });
    this.process = service;
    const readiness = await service.waitUntilReady({ url: `${this.url}/health/ready`, status: 200, timeoutMs: READY_TIMEOUT_MS, intervalMs: 100 });
    if (readiness === 'exited') {
      const status = await service.exited;
      throw new Error(`${this.name} exited with ${status.code ?? status.signal ?? status.error?.message} during start; log: ${this.logFile}`);
    }
    if (readiness !== 'ready') throw new Error(`${this.name} not ready after ${READY_TIMEOUT_MS} ms; log: ${this.logFile}`);
  }

  /** SIGKILL: the process dies mid-flight, without draining. */
  async kill(): Promise<void> {
    await this.process?.kill();
  }

  /** SIGKILL, then start again (same port, environment and database) and wait until ready. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** SIGSTOP: the process is frozen (no I/O, no heartbeats, no acks) until {@link resume}. */
  pause(): void {
    this.process?.signal('SIGSTOP');
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    this.process?.signal('SIGCONT');
  }

  /** SIGTERM and wait for the graceful drain (SIGKILL after 30 s). */
  async stop(): Promise<void> {
    await this.process?.stop({ graceMs: STOP_GRACE_MS });
  }
}

/** Six services as processes against their own nats-server and databases, for end-to-end tests and benchmarks. */
export class Platform {
  /** False when the NATS was handed in (`PlatformOptions.nats`): `stop()` does not dispose it. */
  private ownsNats = true;

  private constructor(
    readonly nats: PlatformTestNats,
    readonly services: Record<ServiceName, ServiceProcess>,
    private readonly databases: string[],
    readonly workDir: string,
  ) {}

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const workDir = await mkdtemp(join(tmpdir(), 'platform-e2e-'));
    const nats = options.nats ?? (await startPlatformTestNats({ topology: options.topology }));
    const databases: string[] = [];
    const services = {} as Record<ServiceName, ServiceProcess>;
    const platform = new Platform(nats, services, databases, workDir);
    platform.ownsNats = options.nats === undefined;
    try {
      const run = randomBytes(4).toString('hex');
      // The key order seals card tokens with for payment (PAYMENT_TOKEN_KEYS), given to those two only.
      const paymentTokenKeys = `e2e:${randomBytes(32).toString('base64url')}`;
      for (const name of SERVICES) {
        const env: Record<string, string> = {
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          // The service's own NATS identity: the test server enforces the generated permissions.
          ...nats.envFor(name),
          LOG_LEVEL: 'warn',
          DATA_DIR: join(workDir, name),
          // HTTP auth: the services verify tokens minted by testAuth() (see operatorToken, customerToken).
          ...testAuth().env,
          ...(name === 'order' || name === 'payment' ? { PAYMENT_TOKEN_KEYS: paymentTokenKeys } : {}),
          ...options.env,
        };
        if ((options.storage ?? 'postgres') === 'postgres') {
          const database = `e2e_${run}_${name}`;
          await adminQuery(`CREATE DATABASE ${database}`);
          databases.push(database);
          const url = new URL(TEST_DATABASE_URL);
          url.pathname = `/${database}`;
          env['DATABASE_URL'] = url.toString();
        } else {
          // Embedded PGlite under DATA_DIR even when this process has a DATABASE_URL (blank = unset).
          env['DATABASE_URL'] = '';
        }
        services[name] = new ServiceProcess(name, Number(env['PORT']), env, join(workDir, `${name}.log`), options.nodeArgs);
      }
      await Promise.all(SERVICES.map((name) => services[name].start()));
      return platform;
    } catch (error) {
      await platform.stop();
      throw error;
    }
  }

  /** The PostgreSQL databases of the services (none with `storage: 'pglite'`). */
  get databaseNames(): readonly string[] {
    return [...this.databases];
  }

  url(service: ServiceName): string {
    return this.services[service].url;
  }

  /**
   * Resolves when every durable consumer of the platform has nothing pending and nothing
   * unacknowledged (the flow has settled), or rejects after `timeoutMs`.
   */
  settled(timeoutMs = 30_000): Promise<void> {
    return this.nats.settled(
      SERVICES.flatMap((service) => consumersOf(platformTopology(), service)),
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.services).map((service) => service.stop().catch(() => undefined)));
    if (this.ownsNats) await this.nats.dispose();
    for (const database of this.databases) await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    if (!process.env['KEEP_E2E_LOGS']) await rm(this.workDir, { recursive: true, force: true });
  }
}


/** A small JSON HTTP client bound to one tenant. */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export async function request<T = any>(
  url: string,
  options: { method?: string; tenant?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.tenant !== undefined) headers['x-tenant-id'] = options.tenant;
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: options.method ?? 'GET', headers, body, signal: options.signal });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** A bearer token of the `operator` role of `tenant`, accepted by the platform's services. */
export function operatorToken(tenant: string): string {
  return testAuth().operator(tenant);
}

/** A bearer token of the `customer` role of `tenant` for `customerId`. */
export function customerToken(tenant: string, customerId: string): string {
  return testAuth().customer(tenant, customerId);
}

/** A random tenant id, so that tests sharing one platform do not see each other's data. */
export function randomTenant(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
