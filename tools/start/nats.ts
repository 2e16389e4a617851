// npm start's NATS: its own nats-server (identities generated once and reused, a config generated
// from the topology and their public keys, loopback only), or a server run elsewhere (NATS_URL)
// with the seeds of NATS_IDENTITIES_DIR; and the environment of a process connecting as one identity.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { LocalIdentity } from '../nats-local.js';
import { ManagedProcess } from '../../e2e/harness/process-runner.js';
import { NATS_AUTH_KEYS, NATS_DIR, NATS_START_TIMEOUT_MS, NATS_TLS_KEYS, OPERATOR, PROVISIONER, root, say, shown, type StartSettings } from './settings.js';

type NatsLocal = typeof import('../nats-local.js');

export interface StartNats {
  readonly url: string;
  readonly external: boolean;
  readonly identities: Readonly<Record<string, LocalIdentity>>;
  /** The nats-server npm start runs, and its log (none for an external one). */
  readonly server?: ManagedProcess;
  readonly logFile?: string;
}

/** What ends npm start early: `exit(code)` without stopping anything, or `shutdown(code)` stopping what runs. */
export class StartFailure extends Error {
  constructor(
    /** Said as `[start] <detail>` (none: the message is printed already). */
    readonly detail: string | undefined,
    readonly code: number,
    readonly how: 'exit' | 'shutdown' = 'exit',
  ) {
    super(detail ?? `npm start: exit ${code}`);
  }
}

function natsAddress(url: string): { host: string; port: number } {
  const first = url.split(',')[0]!.trim();
  const parsed = new URL(first.includes('://') ? first : `nats://${first}`);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 4222) };
}

function canExecute(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  if (binary.includes('/')) return canExecute(binary) ? binary : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && canExecute(candidate)) return candidate;
  }
  return undefined;
}

const MISSING_NATS = `
[start] There is no nats-server binary on PATH.

npm start runs its own NATS server (with JetStream, and the platform's NATS identities: no
anonymous access). Install one:

  Debian/Ubuntu   sudo apt-get install nats-server
  macOS           brew install nats-server
  Elsewhere       https://docs.nats.io/running-a-nats-service/introduction/installation

Then run npm start again (or set NATS_SERVER_BIN to the binary). To use a server you run
yourself instead, give its URL and a folder with one NKey seed per identity that it accepts:
NATS_URL=nats://host:4222 NATS_IDENTITIES_DIR=/path/to/identities npm start (docs/topology.md).
`;

/**
 * Checked before the build: NATS_URL without NATS_IDENTITIES_DIR is refused at once (exit 2).
 * `services()`: the platform's, when the contracts are built already (a fresh clone has none yet);
 * asked only when refusing, so that no module of the libraries is loaded before the build.
 */
export async function checkNatsSettings(settings: StartSettings, platformServices: () => Promise<readonly string[] | undefined>): Promise<void> {
  if (!settings.externalNatsUrl || settings.identitiesDirGiven) return;
  const services = await platformServices();
  const seeds = services ? [...services, PROVISIONER].map((name) => `${name}.nk`).join(', ') : `<service>.nk for each service, ${PROVISIONER}.nk`;
  console.error(`[start] NATS_URL is set (${settings.externalNatsUrl}): npm start then uses that server instead of running its own,
and needs NATS_IDENTITIES_DIR, a folder with one user NKey seed file per identity the server accepts
(${seeds}; ${OPERATOR}.nk optional), so that
each service connects as itself. It does not run the services anonymously or under one shared
identity. Unset NATS_URL to let npm start run its own secured nats-server (docs/topology.md).`);
  throw new StartFailure(undefined, 2);
}

/** npm start's own nats-server, up and accepting connections. */
async function startOwnNats(local: NatsLocal, settings: StartSettings): Promise<StartNats> {
  const binary = onPath(settings.natsServerBin);
  if (!binary) {
    console.error(MISSING_NATS);
    throw new StartFailure(undefined, 1);
  }
  const identitiesDir = settings.identitiesDir;
  const port = await local.chooseLoopbackPort(4222);
  let prepared: ReturnType<NatsLocal['prepareLocalNats']>;
  try {
    prepared = local.prepareLocalNats({ natsDir: NATS_DIR, port, identitiesDir });
  } catch (error) {
    throw new StartFailure(`cannot prepare the NATS identities in ${shown(identitiesDir)}: ${(error as Error).message}`, 2);
  }
  if (prepared.created.length > 0) say(`generated NATS identities in ${shown(identitiesDir)} (0600, reused on later runs): ${prepared.created.join(', ')}`);
  if (prepared.reused.length > 0) say(`reusing NATS identities in ${shown(identitiesDir)}: ${prepared.reused.join(', ')}`);
  const unknown = local.unknownSeedFiles(identitiesDir);
  if (unknown.length > 0) say(`not platform identities, not in the server config: ${unknown.join(', ')}`);
  if (port !== 4222) say(`127.0.0.1:4222 is taken (another NATS?): npm start's own nats-server uses port ${port}`);
  say(`starting ${binary} -c ${shown(prepared.configFile)} on 127.0.0.1:${port} (store ${shown(NATS_DIR)}, log ${shown(prepared.logFile)})`);
  let child;
  try {
    child = await local.startNatsServer({ binary, configFile: prepared.configFile, port, logFile: prepared.logFile, cwd: root, timeoutMs: NATS_START_TIMEOUT_MS });
  } catch (error) {
    throw new StartFailure((error as Error).message, 1, 'shutdown');
  }
  // startNatsServer spawns it in a process group of its own (detached).
  const server = ManagedProcess.adopt('nats-server', child, { ownGroup: true });
  say(`nats-server is up at ${prepared.url}: no anonymous access, one NKey identity per process`);
  return { url: prepared.url, external: false, identities: prepared.identities, server, logFile: prepared.logFile };
}

/** A server run elsewhere: it must already accept the identities whose seeds NATS_IDENTITIES_DIR holds. */
async function useExternalNats(local: NatsLocal, settings: StartSettings, url: string, services: readonly string[]): Promise<StartNats> {
  const dir = settings.identitiesDir;
  let loaded;
  try {
    loaded = local.loadIdentities(dir, { names: [...services, PROVISIONER] });
  } catch (error) {
    throw new StartFailure(`NATS_IDENTITIES_DIR: ${(error as Error).message}`, 2);
  }
  const identities = { ...loaded.identities };
  try {
    Object.assign(identities, local.loadIdentities(dir, { names: [OPERATOR] }).identities);
  } catch {
    // The operator's seed is optional here.
  }
  if (!(await local.accepts(natsAddress(url)))) throw new StartFailure(`no NATS server answers at ${url}; unset NATS_URL to let npm start run its own`, 1);
  say(`using the NATS server at ${url} with the identities of ${shown(dir)}`);
  return { url, external: true, identities };
}

export async function ensureNats(settings: StartSettings, services: readonly string[]): Promise<StartNats> {
  // The events library (and this helper on top of it) exists once the build has run.
  const local = await import('../nats-local.js');
  if (settings.ignoredNatsKeys.length > 0) say(`ignoring ${settings.ignoredNatsKeys.join(', ')} from the environment: each process connects with its own NATS identity`);
  return settings.externalNatsUrl ? useExternalNats(local, settings, settings.externalNatsUrl, services) : startOwnNats(local, settings);
}

/** `env` for a process connecting as `identity`: NATS_URL and only that identity's seed file. */
export function withNatsIdentity(nats: StartNats, env: NodeJS.ProcessEnv, identity: string): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env, NATS_URL: nats.url, NATS_NKEY_SEED_FILE: nats.identities[identity]!.seedFile };
  for (const key of NATS_AUTH_KEYS) if (key !== 'NATS_NKEY_SEED_FILE') delete result[key];
  // npm start's own server is plain TCP on loopback; an external one keeps the NATS_TLS_* given.
  if (!nats.external) for (const key of NATS_TLS_KEYS) delete result[key];
  delete result['NATS_IDENTITIES_DIR'];
  return result;
}

/** How to reach NATS, and the operator's identity for the operator tools. */
export function reportNatsAccess(nats: StartNats): void {
  say(`NATS: ${nats.url}${nats.external ? '' : " (npm start's own nats-server, no anonymous access)"}`);
  const operator = nats.identities[OPERATOR];
  if (!operator) return;
  say(`operator tools connect as the ${OPERATOR} identity, e.g.:`);
  say(`  NATS_URL=${nats.url} NATS_NKEY_SEED_FILE=${shown(operator.seedFile)} npm run dlq -- list`);
  say(`  NATS_URL=${nats.url} NATS_NKEY_SEED_FILE=${shown(operator.seedFile)} npm run platform -- consumers   (--help: every verb)`);
}
