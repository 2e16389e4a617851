/**
 * The faults the chaos suite injects, their schedule over the run (deterministic from the seed)
 * and how each is done to the running platform's processes and databases.
 */
import { adminQuery } from '@platform/events/testing';
import { SERVICES, type Platform, type ServiceName } from '../../e2e/harness/platform.js';

export const FAULT_KINDS = ['kill', 'nats', 'pause', 'db-terminate', 'db-refuse'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Faults on the service's PostgreSQL database: none with PGlite (in-process). */
export const DATABASE_FAULTS: readonly FaultKind[] = ['db-terminate', 'db-refuse'];

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  kill: 'SIGKILL of each service, started again at once',
  nats: 'SIGKILL of nats-server (store kept), started again on the same port after a pause',
  pause: 'SIGSTOP of one service for longer than the ack wait, then SIGCONT',
  'db-terminate': "pg_terminate_backend of every connection of a service's database (postgres only)",
  'db-refuse': "the service's database refuses new connections (ALLOW_CONNECTIONS false + its backends terminated) for a while (postgres only)",
};

export type Fault =
  | { readonly kind: 'kill'; readonly services: readonly ServiceName[] }
  | { readonly kind: 'nats'; readonly downMs: number }
  | { readonly kind: 'pause'; readonly service: ServiceName; readonly ms: number }
  | { readonly kind: 'db-terminate'; readonly service: ServiceName }
  | { readonly kind: 'db-refuse'; readonly service: ServiceName; readonly ms: number };

export interface ScheduledFault {
  /** Earliest start, ms after the orders start (a fault also waits for the one before it in its lane). */
  readonly atMs: number;
  /**
   * Faults of one lane run one after the other; the two lanes run side by side: `restarts` (the
   * SIGKILLs of services and of nats-server) and `stalls` (SIGSTOP, the database faults). Never two
   * faults on one service at once (see the runner).
   */
  readonly lane: 'restarts' | 'stalls';
  readonly fault: Fault;
}

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  /** ms after the orders started. */
  readonly startedMs: number;
  readonly tookMs: number;
  readonly detail: string;
  readonly error?: string;
}

export interface FaultPlanOptions {
  readonly kinds: readonly FaultKind[];
  readonly storage: 'postgres' | 'pglite';
  /** The window of the orders: faults start within its first 80 %. */
  readonly windowMs: number;
  readonly random: () => number;
  readonly pauseMs: number;
  readonly refuseMs: number;
  readonly natsDownMs: number;
  /** Services whose database gets each database fault (default 2 each, distinct, from the seed). */
  readonly databaseTargets?: number;
  /** Services SIGKILLed together by one kill fault (default 1: each on its own). */
  readonly killTogether?: number;
}

/** What the fault hits: services, or nats-server. */
export function targetsOf(fault: Fault): readonly string[] {
  return fault.kind === 'nats' ? ['nats-server'] : fault.kind === 'kill' ? fault.services : [fault.service];
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
      return `SIGKILL ${fault.services.join(' + ')}, restart`;
    case 'nats':
      return `SIGKILL nats-server, down ${fault.downMs} ms, restart`;
    case 'pause':
      return `SIGSTOP ${fault.service} for ${fault.ms} ms, SIGCONT`;
    case 'db-terminate':
      return `terminate the backends of ${fault.service}'s database`;
    case 'db-refuse':
      return `${fault.service}'s database refuses connections for ${fault.ms} ms`;
  }
}

function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * The run's faults, in the order they happen: each service killed once, nats-server killed once,
 * one service paused, and (PostgreSQL) backends terminated and connections refused on the
 * databases of a few services; start times spread over the window with seeded jitter.
 */
export function planFaults(options: FaultPlanOptions): ScheduledFault[] {
  const { random, kinds } = options;
  const faults: Fault[] = [];
  if (kinds.includes('kill')) {
    const together = Math.max(1, options.killTogether ?? 1);
    const victims = shuffled(SERVICES, random);
    for (let i = 0; i < victims.length; i += together) faults.push({ kind: 'kill', services: victims.slice(i, i + together) });
  }
  if (kinds.includes('nats')) faults.push({ kind: 'nats', downMs: options.natsDownMs });
  if (kinds.includes('pause')) faults.push({ kind: 'pause', service: SERVICES[Math.floor(random() * SERVICES.length)]!, ms: options.pauseMs });
  if (options.storage === 'postgres') {
    const targets = shuffled(SERVICES, random).slice(0, options.databaseTargets ?? 2);
    if (kinds.includes('db-terminate')) for (const service of targets) faults.push({ kind: 'db-terminate', service });
    if (kinds.includes('db-refuse')) for (const service of shuffled(targets, random)) faults.push({ kind: 'db-refuse', service, ms: options.refuseMs });
  }
  const schedule: ScheduledFault[] = [];
  for (const lane of ['restarts', 'stalls'] as const) {
    const order = shuffled(
      faults.filter((fault) => laneOf(fault) === lane),
      random,
    );
    const slot = order.length === 0 ? 0 : (options.windowMs * 0.8) / order.length;
    order.forEach((fault, i) => schedule.push({ atMs: Math.round(options.windowMs * 0.05 + i * slot + random() * slot * 0.5), lane, fault }));
  }
  return schedule.sort((a, b) => a.atMs - b.atMs);
}

function laneOf(fault: Fault): ScheduledFault['lane'] {
  return fault.kind === 'kill' || fault.kind === 'nats' ? 'restarts' : 'stalls';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The PostgreSQL database of `service` in `platform` (the harness names them `e2e_<run>_<service>`). */
export function databaseOf(platform: Platform, service: ServiceName): string {
  const database = platform.databaseNames.find((name) => name.endsWith(`_${service}`));
  if (!database) throw new Error(`no PostgreSQL database for ${service} (storage pglite?)`);
  return database;
}

async function terminateBackends(database: string): Promise<number> {
  const rows = await adminQuery<{ n: number }>('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rows[0]?.n ?? 0;
}

/** What the runner needs to know while a fault has a process down on purpose. */
export interface FaultContext {
  readonly platform: Platform;
  /** Services the run has down on purpose (the unprompted-exit watch skips them). */
  readonly expectedDown: Set<ServiceName>;
}

/** Inject `fault` and undo it (restart, SIGCONT, connections allowed again); resolves with what was done. */
export async function injectFault(context: FaultContext, fault: Fault): Promise<string> {
  const { platform } = context;
  switch (fault.kind) {
    case 'kill': {
      for (const service of fault.services) context.expectedDown.add(service);
      try {
        const started = Date.now();
        await Promise.all(fault.services.map((service) => platform.services[service].restart()));
        return `ready again after ${Date.now() - started} ms`;
      } finally {
        for (const service of fault.services) context.expectedDown.delete(service);
      }
    }
    case 'nats': {
      await platform.nats.kill();
      try {
        await sleep(fault.downMs);
      } finally {
        await platform.nats.start();
      }
      return `down ${fault.downMs} ms, restarted with its store`;
    }
    case 'pause': {
      const service = platform.services[fault.service];
      context.expectedDown.add(fault.service);
      service.pause();
      try {
        await sleep(fault.ms);
      } finally {
        service.resume();
        context.expectedDown.delete(fault.service);
      }
      return `frozen ${fault.ms} ms`;
    }
    case 'db-terminate': {
      const terminated = await terminateBackends(databaseOf(platform, fault.service));
      return `${terminated} backends terminated`;
    }
    case 'db-refuse': {
      const database = databaseOf(platform, fault.service);
      await adminQuery(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
      let terminated = 0;
      try {
        terminated = await terminateBackends(database);
        await sleep(fault.ms);
      } finally {
        await adminQuery(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`);
      }
      return `${terminated} backends terminated, new connections refused for ${fault.ms} ms`;
    }
  }
}
