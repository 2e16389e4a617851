#!/usr/bin/env node
// `npm start`: the whole platform on this machine, in one terminal.
//   1. build every project (tsc -b tsconfig.json)
//   2. NATS: run its own nats-server from PATH (store .data/nats, on 127.0.0.1:4222 when free, else a
//      free loopback port) with a config generated on every start (tools/nats-local.mjs) that enforces
//      the platform's NATS identities: no anonymous access, one user NKey per service, the provisioner
//      and the operator, seeds generated once in .data/nats/identities/<identity>.nk (0600) and reused.
//      With an explicit NATS_URL it uses that server instead, with the seeds of NATS_IDENTITIES_DIR.
//   3. apply the JetStream topology (tools/provision.mjs) as the provisioner
//   4. run the six services, their output prefixed `[order] ...`, each with PGlite under .data/<service>
//      and only its own seed (NATS_URL + NATS_NKEY_SEED_FILE); order and payment also get the card
//      token sealing key PAYMENT_TOKEN_KEYS (tools/dev-secrets.mjs: .data/secrets/payment-token.key, 0600)
// Ctrl-C (or SIGTERM) stops the services (SIGTERM, SIGKILL after 30 s), then the nats-server it
// spawned. A service that exits during its first 10 s stops everything with exit code 1.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { devAuthEnv } from './dev-auth.mjs';
import { ensurePaymentTokenKey } from './dev-secrets.mjs';

const root = new URL('..', import.meta.url).pathname;
const SERVICES = [
  ['order', 3000],
  ['payment', 3001],
  ['inventory', 3002],
  ['notification', 3003],
  ['analytics', 3004],
  ['loyalty', 3005],
];
// An explicit NATS_URL names an external server (with NATS_IDENTITIES_DIR); unset, npm start runs its own.
const EXTERNAL_NATS_URL = process.env.NATS_URL?.trim() || undefined;
const NATS_DIR = join(root, '.data', 'nats');
const IDENTITIES_DIR = process.env.NATS_IDENTITIES_DIR?.trim() ? resolve(process.env.NATS_IDENTITIES_DIR.trim()) : join(NATS_DIR, 'identities');
const NATS_AUTH_KEYS = ['NATS_CREDS', 'NATS_NKEY_SEED_FILE', 'NATS_USER', 'NATS_PASSWORD'];
const NATS_TLS_KEYS = ['NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY'];
const PROVISIONER = 'provisioner';
const OPERATOR = 'operator';
const NATS_START_TIMEOUT_MS = 10_000;
const EARLY_EXIT_WINDOW_MS = 10_000;
const STOP_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;
const COLOURS = [36, 33, 35, 32, 34, 31];
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

const children = new Map(); // name -> ChildProcess, services and the nats-server we spawned
let natsServer;
let nats; // { url, external, identities: { <identity>: { seedFile } } }
let stopping = false;

const say = (message) => console.log(`[start] ${message}`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const shown = (path) => (path.startsWith(root) ? relative(root, path) : path);

function build() {
  say('building all projects (tsc -b tsconfig.json)');
  const result = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    say('build failed; fix the errors above and run npm start again');
    process.exit(1);
  }
}

function natsAddress(url) {
  const first = url.split(',')[0].trim();
  const parsed = new URL(first.includes('://') ? first : `nats://${first}`);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 4222) };
}

function onPath(binary) {
  if (binary.includes('/')) return canExecute(binary) ? binary : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && canExecute(candidate)) return candidate;
  }
  return undefined;
}

function canExecute(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function explainMissingNats() {
  console.error(`
[start] There is no nats-server binary on PATH.

npm start runs its own NATS server (with JetStream, and the platform's NATS identities: no
anonymous access). Install one:

  Debian/Ubuntu   sudo apt-get install nats-server
  macOS           brew install nats-server
  Elsewhere       https://docs.nats.io/running-a-nats-service/introduction/installation

Then run npm start again (or set NATS_SERVER_BIN to the binary). To use a server you run
yourself instead, give its URL and a folder with one NKey seed per identity that it accepts:
NATS_URL=nats://host:4222 NATS_IDENTITIES_DIR=/path/to/identities npm start (docs/topology.md).
`);
  process.exit(1);
}

function ignoreAuthEnvironment() {
  const keys = [...NATS_AUTH_KEYS, ...(EXTERNAL_NATS_URL ? [] : NATS_TLS_KEYS)].filter((key) => process.env[key]?.trim());
  if (keys.length > 0) say(`ignoring ${keys.join(', ')} from the environment: each process connects with its own NATS identity`);
}

// npm start's own nats-server: the identities (created once, reused), a config generated from the
// topology and their public keys, loopback only.
async function startOwnNats(local) {
  const binary = onPath(process.env.NATS_SERVER_BIN || 'nats-server');
  if (!binary) explainMissingNats();
  const port = await local.chooseLoopbackPort(4222);
  let prepared;
  try {
    prepared = local.prepareLocalNats({ natsDir: NATS_DIR, port, identitiesDir: IDENTITIES_DIR });
  } catch (error) {
    say(`cannot prepare the NATS identities in ${shown(IDENTITIES_DIR)}: ${error.message}`);
    process.exit(2);
  }
  if (prepared.created.length > 0) say(`generated NATS identities in ${shown(IDENTITIES_DIR)} (0600, reused on later runs): ${prepared.created.join(', ')}`);
  if (prepared.reused.length > 0) say(`reusing NATS identities in ${shown(IDENTITIES_DIR)}: ${prepared.reused.join(', ')}`);
  const unknown = local.unknownSeedFiles(IDENTITIES_DIR);
  if (unknown.length > 0) say(`not platform identities, not in the server config: ${unknown.join(', ')}`);
  if (port !== 4222) say(`127.0.0.1:4222 is taken (another NATS?): npm start's own nats-server uses port ${port}`);
  say(`starting ${binary} -c ${shown(prepared.configFile)} on 127.0.0.1:${port} (store ${shown(NATS_DIR)}, log ${shown(prepared.logFile)})`);
  try {
    natsServer = await local.startNatsServer({ binary, configFile: prepared.configFile, port, logFile: prepared.logFile, cwd: root, timeoutMs: NATS_START_TIMEOUT_MS });
  } catch (error) {
    say(error.message);
    await shutdown(1);
  }
  children.set('nats-server', natsServer);
  natsServer.once('exit', (code, signal) => {
    children.delete('nats-server');
    if (!stopping) {
      say(`nats-server exited (${signal ?? `code ${code}`}); see ${shown(prepared.logFile)}`);
      void shutdown(1);
    }
  });
  say(`nats-server is up at ${prepared.url}: no anonymous access, one NKey identity per process`);
  return { url: prepared.url, external: false, identities: prepared.identities };
}

// Checked before the build: NATS_URL without NATS_IDENTITIES_DIR is refused at once.
function checkNatsSettings() {
  if (!EXTERNAL_NATS_URL || process.env.NATS_IDENTITIES_DIR?.trim()) return;
  console.error(`[start] NATS_URL is set (${EXTERNAL_NATS_URL}): npm start then uses that server instead of running its own,
and needs NATS_IDENTITIES_DIR, a folder with one user NKey seed file per identity the server accepts
(${[...SERVICES.map(([name]) => name), PROVISIONER].map((name) => `${name}.nk`).join(', ')}; ${OPERATOR}.nk optional), so that
each service connects as itself. It does not run the services anonymously or under one shared
identity. Unset NATS_URL to let npm start run its own secured nats-server (docs/topology.md).`);
  process.exit(2);
}

// A server run elsewhere: it must already accept the identities whose seeds NATS_IDENTITIES_DIR holds.
async function useExternalNats(local) {
  let loaded;
  try {
    loaded = local.loadIdentities(IDENTITIES_DIR, { names: [...SERVICES.map(([name]) => name), PROVISIONER] });
  } catch (error) {
    say(`NATS_IDENTITIES_DIR: ${error.message}`);
    process.exit(2);
  }
  const identities = { ...loaded.identities };
  try {
    Object.assign(identities, local.loadIdentities(IDENTITIES_DIR, { names: [OPERATOR] }).identities);
  } catch {
    // The operator's seed is optional here.
  }
  if (!(await local.accepts(natsAddress(EXTERNAL_NATS_URL)))) {
    say(`no NATS server answers at ${EXTERNAL_NATS_URL}; unset NATS_URL to let npm start run its own`);
    process.exit(1);
  }
  say(`using the NATS server at ${EXTERNAL_NATS_URL} with the identities of ${shown(IDENTITIES_DIR)}`);
  return { url: EXTERNAL_NATS_URL, external: true, identities };
}

async function ensureNats() {
  // The events library (and this helper on top of it) exists once build() has run.
  const local = await import('./nats-local.mjs');
  ignoreAuthEnvironment();
  nats = EXTERNAL_NATS_URL ? await useExternalNats(local) : await startOwnNats(local);
}

/** `env` for a process connecting as `identity`: NATS_URL and only that identity's seed file. */
function withNatsIdentity(env, identity) {
  const result = { ...env, NATS_URL: nats.url, NATS_NKEY_SEED_FILE: nats.identities[identity].seedFile };
  for (const key of NATS_AUTH_KEYS) if (key !== 'NATS_NKEY_SEED_FILE') delete result[key];
  // npm start's own server is plain TCP on loopback; an external one keeps the NATS_TLS_* given.
  if (!nats.external) for (const key of NATS_TLS_KEYS) delete result[key];
  delete result.NATS_IDENTITIES_DIR;
  return result;
}

function provision() {
  say(`applying the JetStream topology (tools/provision.mjs) as the ${PROVISIONER} identity`);
  const result = spawnSync(process.execPath, [join(root, 'tools', 'provision.mjs')], { cwd: root, stdio: 'inherit', env: withNatsIdentity(process.env, PROVISIONER) });
  if (result.status !== 0) {
    say('provisioning failed (see above); stopping');
    return shutdown(1);
  }
}

function serviceEnv() {
  // HTTP auth: the public half of the development signing key (.data/auth, created once; tokens from
  // `npm run token`), unless the environment names its own key (AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE).
  const env = { ...process.env, ...devAuthEnv(join(root, '.data')) };
  // One machine, six services: per-service settings would collide, so each uses its own defaults
  // (its port, PGlite under .data/<service>).
  for (const key of ['PORT', 'DATA_DIR', 'DATABASE_URL']) {
    if (env[key] !== undefined) say(`ignoring ${key} from the environment: each service uses its own default`);
    delete env[key];
  }
  return env;
}

function prefixLines(stream, prefix, out) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

function startServices() {
  const { PAYMENT_TOKEN_KEYS: _sealingKeys, ...env } = serviceEnv();
  const paymentTokenEnv = ensurePaymentTokenKey(join(root, '.data'));
  const width = Math.max(...SERVICES.map(([name]) => name.length)) + 2;
  SERVICES.forEach(([name], index) => {
    const label = `[${name}]`.padEnd(width);
    const prefix = useColour ? `\x1b[${COLOURS[index % COLOURS.length]}m${label}\x1b[0m` : label;
    const child = spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
      cwd: root,
      env: withNatsIdentity(name === 'order' || name === 'payment' ? { ...env, ...paymentTokenEnv } : env, name),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const startedAt = Date.now();
    children.set(name, child);
    prefixLines(child.stdout, prefix, process.stdout);
    prefixLines(child.stderr, prefix, process.stderr);
    child.once('exit', (code, signal) => {
      children.delete(name);
      if (stopping) return;
      const how = signal ?? `code ${code}`;
      if (Date.now() - startedAt < EARLY_EXIT_WINDOW_MS) {
        say(`${name} exited during startup (${how}); stopping everything`);
        void shutdown(1);
      } else {
        say(`${name} exited (${how}); the other services keep running`);
      }
    });
  });
}

async function reportReadiness() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const pending = new Map(SERVICES);
  while (pending.size > 0 && Date.now() < deadline && !stopping) {
    for (const [name, port] of pending) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) pending.delete(name);
    }
    if (pending.size > 0) await sleep(500);
  }
  if (stopping) return;
  if (pending.size > 0) {
    say(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${[...pending.keys()].join(', ')}`);
    return;
  }
  say('all services are ready:');
  for (const [name, port] of SERVICES) say(`  ${name.padEnd(13)} http://127.0.0.1:${port}  (/health/ready, /metrics)`);
  reportNatsAccess();
  say('Ctrl-C stops everything.');
}

function reportNatsAccess() {
  say(`NATS: ${nats.url}${nats.external ? '' : " (npm start's own nats-server, no anonymous access)"}`);
  const operator = nats.identities[OPERATOR];
  if (!operator) return;
  say(`operator tools connect as the ${OPERATOR} identity, e.g.:`);
  say(`  NATS_URL=${nats.url} NATS_NKEY_SEED_FILE=${shown(operator.seedFile)} npm run dlq -- list`);
  say(`  NATS_URL=${nats.url} NATS_NKEY_SEED_FILE=${shown(operator.seedFile)} npm run platform -- consumers   (--help: every verb)`);
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function waitForExit(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const services = [...children].filter(([name]) => name !== 'nats-server').map(([, child]) => child);
  if (services.length > 0) say(`stopping ${services.length} service(s)`);
  for (const child of services) signalGroup(child, 'SIGTERM');
  await Promise.all(services.map((child) => waitForExit(child, STOP_GRACE_MS)));
  if (natsServer && natsServer.exitCode === null && natsServer.signalCode === null) {
    say('stopping nats-server');
    signalGroup(natsServer, 'SIGTERM');
    await waitForExit(natsServer, 10_000);
  }
  say('stopped');
  process.exit(code);
}

function onSignal(signal) {
  if (stopping) {
    say(`${signal} again: killing everything now`);
    for (const child of children.values()) signalGroup(child, 'SIGKILL');
    process.exit(130);
  }
  say(`${signal} received`);
  void shutdown(0);
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// Last resort if this script dies of an error: leave nothing running behind.
process.on('exit', () => {
  for (const child of children.values()) signalGroup(child, 'SIGKILL');
});

checkNatsSettings();
build();
await ensureNats();
await provision();
if (!stopping) {
  startServices();
  await reportReadiness();
}
