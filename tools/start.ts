// `npm start`: the whole platform on this machine, in one terminal.
//   1. build every project (tsc -b tsconfig.json)
//   2. NATS: run its own nats-server from PATH (store .data/nats, on 127.0.0.1:4222 when free, else a
//      free loopback port) with a config generated on every start (tools/nats-local.ts) that enforces
//      the platform's NATS identities: no anonymous access, one user NKey per service, the provisioner
//      and the operator, seeds generated once in .data/nats/identities/<identity>.nk (0600) and reused.
//      With an explicit NATS_URL it uses that server instead, with the seeds of NATS_IDENTITIES_DIR.
//   3. apply the JetStream topology (tools/provision.ts, with tsx's loader) as the provisioner
//   4. run the services (`PlatformService` of @platform/contracts), their output prefixed `[order] ...`,
//      each with PGlite under .data/<service> and only its own seed (NATS_URL + NATS_NKEY_SEED_FILE);
//      order and payment also get the card token sealing key PAYMENT_TOKEN_KEYS
//      (tools/dev-secrets.ts: .data/secrets/payment-token.key, 0600)
// Ctrl-C (or SIGTERM) stops the services (SIGTERM, SIGKILL after 30 s), then the nats-server it
// spawned. A service that exits during its first 10 s stops everything with exit code 1.
// The processes run on e2e/harness/process-runner.ts, as the e2e harness's do. package.json runs this
// file with tsx's loader in this one process (`node --import tsx`), not with tsx's CLI, whose signal
// relay SIGKILLs a child that does not confirm a signal within 30 ms (and would orphan the services).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PlatformService } from '@platform/contracts';
import type { ManagedProcess } from '../e2e/harness/process-runner.js';
import { describeExit } from '../e2e/harness/process-runner.js';
import { booleanOption, HELP_OPTION, parseToolArgs } from './lib/cli.js';
import { checkNatsSettings, ensureNats, StartFailure, type StartNats, withNatsIdentity } from './start/nats.js';
import { reportReadiness, startServices } from './start/services.js';
import { EARLY_EXIT_WINDOW_MS, NATS_STOP_GRACE_MS, PROVISIONER, readStartSettings, root, say, shown, STOP_GRACE_MS } from './start/settings.js';

const USAGE = `Usage: npm start

Builds every project, runs a nats-server of its own with the platform's NATS identities (or uses
NATS_URL with NATS_IDENTITIES_DIR), provisions the topology and runs the services on ports
3000-3005, data under .data/. Ctrl-C stops everything. README.md ("Quick start") and
docs/topology.md say more.

Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a failure (build, NATS, provisioning, a service
exiting during its start), 2 bad arguments or settings, 130 a second Ctrl-C.`;

const settings = readStartSettings();
const services = new Map<string, ManagedProcess>();
const stopped = new AbortController();
let nats: StartNats | undefined;
let stopping = false;

function readCommandLine(): void {
  try {
    if (booleanOption(parseToolArgs('start', process.argv.slice(2), HELP_OPTION, { positionals: false }).values, 'help')) {
      console.log(USAGE);
      process.exit(0);
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

/**
 * The platform's services, once the contracts are built (undefined before, on a fresh clone). Loaded
 * after the build (as tools/nats-local.ts is): a module loaded before it would be kept as it was.
 */
async function platformServices(): Promise<PlatformService[] | undefined> {
  return import('@platform/contracts').then(
    (contracts) => Object.values(contracts.PlatformService),
    () => undefined,
  );
}

function build(): void {
  say('building all projects (tsc -b tsconfig.json)');
  const result = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    say('build failed; fix the errors above and run npm start again');
    process.exit(1);
  }
}

function provision(current: StartNats): boolean {
  say(`applying the JetStream topology (tools/provision.ts) as the ${PROVISIONER} identity`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'tools', 'provision.ts')], { cwd: root, stdio: 'inherit', env: withNatsIdentity(current, process.env, PROVISIONER) });
  return result.status === 0;
}

function watchNats(current: StartNats): void {
  current.server?.onExit((status) => {
    if (stopping) return;
    say(`nats-server exited (${describeExit(status)}); see ${shown(current.logFile!)}`);
    void shutdown(1);
  });
}

function watchService(name: string, child: ManagedProcess): void {
  services.set(name, child);
  child.onExit((status) => {
    if (stopping) return;
    if (status.uptimeMs < EARLY_EXIT_WINDOW_MS) {
      say(`${name} exited during startup (${describeExit(status)}); stopping everything`);
      void shutdown(1);
    } else {
      say(`${name} exited (${describeExit(status)}); the other services keep running`);
    }
  });
}

/** Stop the services (SIGTERM, SIGKILL after 30 s), then our nats-server, and exit with `code`. */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopped.abort();
  const running = [...services.values()].filter((child) => child.running);
  if (running.length > 0) say(`stopping ${running.length} service(s)`);
  await Promise.all(running.map((child) => child.stop({ graceMs: STOP_GRACE_MS })));
  if (nats?.server?.running) {
    say('stopping nats-server');
    await nats.server.stop({ graceMs: NATS_STOP_GRACE_MS });
  }
  say('stopped');
  process.exit(code);
}

function everything(): ManagedProcess[] {
  return [...services.values(), ...(nats?.server ? [nats.server] : [])];
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    say(`${signal} again: killing everything now`);
    for (const child of everything()) child.signal('SIGKILL');
    process.exit(130);
  }
  say(`${signal} received`);
  void shutdown(0);
}

async function main(): Promise<void> {
  readCommandLine();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last resort if this process dies of an error: leave nothing running behind.
  process.on('exit', () => {
    for (const child of everything()) child.signal('SIGKILL');
  });
  // Checked before the build: NATS_URL without NATS_IDENTITIES_DIR is refused at once.
  await checkNatsSettings(settings, platformServices);
  build();
  const list = await platformServices();
  if (!list) throw new StartFailure('the build did not produce libs/contracts/dist', 1);
  nats = await ensureNats(settings, list);
  watchNats(nats);
  if (!provision(nats)) {
    say('provisioning failed (see above); stopping');
    return shutdown(1);
  }
  if (stopping) return;
  const running = startServices(settings, nats, list);
  for (const service of running) watchService(service.name, service.process);
  await reportReadiness(running, nats, stopped.signal);
}

main().catch((error: unknown) => {
  if (!(error instanceof StartFailure)) throw error;
  if (error.detail) say(error.detail);
  if (error.how === 'shutdown') return shutdown(error.code);
  process.exit(error.code);
});
