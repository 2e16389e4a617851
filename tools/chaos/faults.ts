/**
 * The faults the chaos suite injects, their schedule over the run (deterministic from the seed)
 * and how each is done to the running platform's processes and databases.
 */
import { PlatformStream } from '@platform/contracts';
import { adminQuery } from '@platform/events/testing';
import { type PlatformTestNatsCluster } from '@platform/events-ops/testing';
import { SERVICES, type Platform, type ServiceName } from '../../e2e/harness/platform.js';

export const FAULT_KINDS = ['kill', 'nats', 'node-kill', 'pause', 'db-terminate', 'db-refuse'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Faults on the service's PostgreSQL database: none with PGlite (in-process). */
export const DATABASE_FAULTS: readonly FaultKind[] = ['db-terminate', 'db-refuse'];
/** The streams whose leader node-kill SIGKILLs, in turn (ORDERS first). */
export const NODE_KILL_STREAMS: readonly string[] = [PlatformStream.Orders, PlatformStream.Payments, PlatformStream.Inventory, PlatformStream.Loyalty, PlatformStream.Notifications];

/** Where a pass runs: its storage, and one nats-server or a 3-node JetStream cluster. */
export interface PassSetting {
  readonly storage: 'postgres' | 'pglite';
  readonly cluster: boolean;
}

/** Why `kind` is not injected in `setting` (undefined: it is). */
export function skipReason(kind: FaultKind, setting: PassSetting): { readonly where: string; readonly why: string } | undefined {
  if (setting.storage === 'pglite' && DATABASE_FAULTS.includes(kind)) return { where: 'pglite', why: 'PGlite is in-process: no database server to cut or refuse' };
  if (setting.cluster && kind === 'nats') return { where: 'the cluster', why: 'three nats-servers, not one: node-kill SIGKILLs a stream leader instead' };
  if (!setting.cluster && kind === 'node-kill') return { where: 'a single nats-server', why: 'no cluster node to kill: node-kill needs --cluster' };
  return undefined;
}

/** The fault kinds of `kinds` that `setting` does not have, in order. */
export function skippedFaults(kinds: readonly FaultKind[], setting: PassSetting): FaultKind[] {
  return kinds.filter((kind) => skipReason(kind, setting) !== undefined);
}

/** One line per reason: `not injected on pglite: db-terminate, db-refuse (PGlite is in-process: …)`. */
export function skippedLines(kinds: readonly FaultKind[], setting: PassSetting): string[] {
  const byReason = new Map<string, { where: string; why: string; faults: FaultKind[] }>();
  for (const kind of kinds) {
    const reason = skipReason(kind, setting);
    if (!reason) continue;
    const key = `${reason.where}: ${reason.why}`;
    const entry = byReason.get(key) ?? { ...reason, faults: [] };
    entry.faults.push(kind);
    byReason.set(key, entry);
  }
  return [...byReason.values()].map(({ where, why, faults }) => `not injected on ${where}: ${faults.join(', ')} (${why})`);
}

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  kill: 'SIGKILL of each service, started again at once',
  nats: 'SIGKILL of nats-server (store kept), started again on the same port after a pause (not with --cluster)',
  'node-kill': 'SIGKILL of the cluster node leading a stream (ORDERS, then PAYMENTS, …), down a while, restarted with its store (--cluster only)',
  pause: 'SIGSTOP of one service for longer than the ack wait, then SIGCONT',
  'db-terminate': "pg_terminate_backend of every connection of a service's database (postgres only)",
  'db-refuse': "the service's database refuses new connections (ALLOW_CONNECTIONS false + its backends terminated) for a while (postgres only)",
};

export type Fault =
  | { readonly kind: 'kill'; readonly services: readonly ServiceName[] }
  | { readonly kind: 'nats'; readonly downMs: number }
  | { readonly kind: 'node-kill'; readonly stream: string; readonly downMs: number }
  | { readonly kind: 'pause'; readonly service: ServiceName; readonly ms: number }
  | { readonly kind: 'db-terminate'; readonly service: ServiceName }
  | { readonly kind: 'db-refuse'; readonly service: ServiceName; readonly ms: number };

export interface ScheduledFault {
  /** Earliest start, ms after the orders start (a fault also waits for the one before it in its lane). */
  readonly atMs: number;
  /**
   * Faults of one lane run one after the other; the two lanes run side by side: `restarts` (the
   * SIGKILLs of services, of nats-server and of a cluster node) and `stalls` (SIGSTOP, the database faults). Never two
   * faults on one service at once (see the runner).
   */
  readonly lane: 'restarts' | 'stalls';
  readonly fault: Fault;
}

/** What a node-kill did: the node, the stream it led, the election and the time it was down. */
export interface NodeKillFacts {
  readonly node: string;
  readonly stream: string;
  /** The stream's new leader (absent when none was elected in time). */
  readonly successor?: string;
  /** ms from the SIGKILL until a running node led the stream. */
  readonly electionMs?: number;
  /** ms from the SIGKILL until the node was started again. */
  readonly downMs: number;
  /** ms from its start until the cluster had one meta leader again with every node current. */
  readonly rejoinMs?: number;
}

/** What an injection reports: a line, and for a node-kill the node it hit. */
export interface FaultOutcome {
  readonly detail: string;
  /** The target as known once injected (node-kill: the node's name). */
  readonly target?: string;
  readonly node?: NodeKillFacts;
}

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  /** ms after the orders started. */
  readonly startedMs: number;
  readonly tookMs: number;
  readonly detail: string;
  readonly node?: NodeKillFacts;
  readonly error?: string;
}

export interface FaultPlanOptions {
  readonly kinds: readonly FaultKind[];
  readonly storage: 'postgres' | 'pglite';
  /** A 3-node cluster: node-kill instead of nats (default false). */
  readonly cluster?: boolean;
  /** The window of the orders: faults start within its first 80 %. */
  readonly windowMs: number;
  readonly random: () => number;
  readonly pauseMs: number;
  readonly refuseMs: number;
  readonly natsDownMs: number;
  /** How long a killed cluster node stays down (default 3000). */
  readonly nodeDownMs?: number;
  /** Node kills in cluster mode, each on the leader of the next of {@link NODE_KILL_STREAMS} (default 1). */
  readonly nodeKills?: number;
  /** Services whose database gets each database fault (default 2 each, distinct, from the seed). */
  readonly databaseTargets?: number;
  /** Services SIGKILLed together by one kill fault (default 1: each on its own). */
  readonly killTogether?: number;
}

/** What the fault hits: services, nats-server, or a cluster node (the stream's leader, known once injected). */
export function targetsOf(fault: Fault): readonly string[] {
  switch (fault.kind) {
    case 'nats':
      return ['nats-server'];
    case 'node-kill':
      return [`${fault.stream} leader`];
    case 'kill':
      return fault.services;
    default:
      return [fault.service];
  }
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
      return `SIGKILL ${fault.services.join(' + ')}, restart`;
    case 'nats':
      return `SIGKILL nats-server, down ${fault.downMs} ms, restart`;
    case 'node-kill':
      return `SIGKILL the cluster node leading ${fault.stream}, down ${fault.downMs} ms, restart`;
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
 * The run's faults, in the order they happen: each service killed once, nats-server killed once
 * (on a cluster: the leader of ORDERS killed instead, then of PAYMENTS, … with `nodeKills` > 1),
 * one service paused, and (PostgreSQL) backends terminated and connections refused on the
 * databases of a few services; start times spread over the window with seeded jitter. What the
 * setting does not have ({@link skipReason}) is left out.
 */
export function planFaults(options: FaultPlanOptions): ScheduledFault[] {
  const { random } = options;
  const setting: PassSetting = { storage: options.storage, cluster: options.cluster ?? false };
  const kinds = options.kinds.filter((kind) => skipReason(kind, setting) === undefined);
  const faults: Fault[] = [];
  if (kinds.includes('kill')) {
    const together = Math.max(1, options.killTogether ?? 1);
    const victims = shuffled(SERVICES, random);
    for (let i = 0; i < victims.length; i += together) faults.push({ kind: 'kill', services: victims.slice(i, i + together) });
  }
  if (kinds.includes('nats')) faults.push({ kind: 'nats', downMs: options.natsDownMs });
  // The streams are given in time order below: the first node kill takes ORDERS' leader.
  if (kinds.includes('node-kill')) for (let i = 0; i < Math.max(1, options.nodeKills ?? 1); i++) faults.push({ kind: 'node-kill', stream: '', downMs: options.nodeDownMs ?? 3_000 });
  if (kinds.includes('pause')) faults.push({ kind: 'pause', service: SERVICES[Math.floor(random() * SERVICES.length)]!, ms: options.pauseMs });
  if (options.storage === 'postgres') {
    const targets = shuffled(SERVICES, random).slice(0, options.databaseTargets ?? 2);
    if (kinds.includes('db-terminate')) for (const service of targets) faults.push({ kind: 'db-terminate', service });
    if (kinds.includes('db-refuse')) for (const service of shuffled(targets, random)) faults.push({ kind: 'db-refuse', service, ms: options.refuseMs });
  }
  const schedule: ScheduledFault[] = [];
  for (const lane of ['restarts', 'stalls'] as const) {
    let nodeKill = 0;
    const order = shuffled(
      faults.filter((fault) => laneOf(fault) === lane),
      random,
    ).map((fault) => (fault.kind === 'node-kill' ? { ...fault, stream: NODE_KILL_STREAMS[nodeKill++ % NODE_KILL_STREAMS.length]! } : fault));
    const slot = order.length === 0 ? 0 : (options.windowMs * 0.8) / order.length;
    order.forEach((fault, i) => schedule.push({ atMs: Math.round(options.windowMs * 0.05 + i * slot + random() * slot * 0.5), lane, fault }));
  }
  return schedule.sort((a, b) => a.atMs - b.atMs);
}

function laneOf(fault: Fault): ScheduledFault['lane'] {
  return fault.kind === 'kill' || fault.kind === 'nats' || fault.kind === 'node-kill' ? 'restarts' : 'stalls';
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
  /** The 3-node cluster the platform runs on (cluster mode): node-kill's target. */
  readonly cluster?: PlatformTestNatsCluster;
  /** Services the run has down on purpose (the unprompted-exit watch skips them). */
  readonly expectedDown: Set<ServiceName>;
}

/** Inject `fault` and undo it (restart, SIGCONT, connections allowed again); resolves with what was done. */
export async function injectFault(context: FaultContext, fault: Fault): Promise<FaultOutcome> {
  if (fault.kind === 'node-kill') return killNode(context, fault);
  return { detail: await injectProcessFault(context, fault) };
}

/** How long node-kill waits for a stream leader before the kill, for the new one after it, and for the cluster to be whole again. */
const LEADER_TIMEOUT_MS = 30_000;
const REJOIN_TIMEOUT_MS = 60_000;

/**
 * SIGKILL the node leading `fault.stream` (no shutdown, its store kept), wait for another node to
 * lead the stream, keep the node down `fault.downMs` in all (longer if the election takes longer),
 * start it again with its store and wait until the cluster has one meta leader with every node
 * current. The node is started again whatever happened meanwhile.
 */
async function killNode(context: FaultContext, fault: Extract<Fault, { kind: 'node-kill' }>): Promise<FaultOutcome> {
  const cluster = context.cluster;
  if (!cluster) throw new Error('node-kill needs the cluster mode (--cluster)');
  const leader = await cluster.streamLeader(fault.stream, LEADER_TIMEOUT_MS);
  const killedAt = Date.now();
  await leader.kill();
  let successor: string | undefined;
  let electionMs: number | undefined;
  let electionError: Error | undefined;
  let downMs: number;
  try {
    successor = (await cluster.streamLeader(fault.stream, LEADER_TIMEOUT_MS)).name;
    electionMs = Date.now() - killedAt;
  } catch (error) {
    electionError = error as Error;
  } finally {
    const rest = fault.downMs - (Date.now() - killedAt);
    if (rest > 0) await sleep(rest);
    downMs = Date.now() - killedAt;
    await leader.start();
  }
  const startedAt = Date.now();
  await cluster.waitForMetaLeader(REJOIN_TIMEOUT_MS);
  const rejoinMs = Date.now() - startedAt;
  if (electionError) throw new Error(`${leader.name} (${fault.stream} leader) killed: ${electionError.message}; restarted after ${downMs} ms`);
  return {
    target: leader.name,
    node: { node: leader.name, stream: fault.stream, successor, electionMs, downMs, rejoinMs },
    detail: `led ${fault.stream}; ${successor} leads it ${electionMs} ms after the kill; down ${downMs} ms, restarted with its store, cluster whole again after ${rejoinMs} ms`,
  };
}

async function injectProcessFault(context: FaultContext, fault: Exclude<Fault, { kind: 'node-kill' }>): Promise<string> {
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
