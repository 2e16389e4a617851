#!/usr/bin/env node
// `npm start`: the whole platform on this machine, in one terminal.
//   1. build every project (tsc -b tsconfig.json)
//   2. NATS: use the server at NATS_URL (default nats://127.0.0.1:4222) when it answers; otherwise
//      spawn `nats-server -js` from PATH with its store in .data/nats; otherwise explain how to get one
//   3. apply the JetStream topology (tools/provision.mjs)
//   4. run the six services, their output prefixed `[order] ...`, each with PGlite under .data/<service>
// Ctrl-C (or SIGTERM) stops the services (SIGTERM, SIGKILL after 30 s), then the nats-server it
// spawned. A service that exits during its first 10 s stops everything with exit code 1.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const SERVICES = [
  ['order', 3000],
  ['payment', 3001],
  ['inventory', 3002],
  ['notification', 3003],
  ['analytics', 3004],
  ['loyalty', 3005],
];
const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const NATS_START_TIMEOUT_MS = 10_000;
const EARLY_EXIT_WINDOW_MS = 10_000;
const STOP_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;
const COLOURS = [36, 33, 35, 32, 34, 31];
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

const children = new Map(); // name -> ChildProcess, services and the nats-server we spawned
let natsServer;
let stopping = false;

const say = (message) => console.log(`[start] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

function accepts({ host, port }, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
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

function explainMissingNats(address) {
  console.error(`
[start] No NATS server answers at ${NATS_URL}, and there is no nats-server binary on PATH.

The platform needs NATS with JetStream. Any one of these will do:

  Debian/Ubuntu   sudo apt-get install nats-server
  macOS           brew install nats-server
  Docker          docker run -p ${address.port}:4222 nats:2.10 -js
  Elsewhere       https://docs.nats.io/running-a-nats-service/introduction/installation

Then run npm start again: it uses a running server, or starts nats-server itself
(store in .data/nats). To use a server elsewhere: NATS_URL=nats://host:4222 npm start
`);
  process.exit(1);
}

async function ensureNats() {
  const address = natsAddress(NATS_URL);
  if (await accepts(address)) {
    say(`using the NATS server at ${NATS_URL}`);
    return;
  }
  const local = ['127.0.0.1', 'localhost', '::1'].includes(address.host);
  const binary = onPath(process.env.NATS_SERVER_BIN || 'nats-server');
  if (!binary || !local) {
    if (!local) say(`NATS_URL points at ${address.host}, which does not answer; not starting a local server for it`);
    explainMissingNats(address);
  }
  const storeDir = join(root, '.data', 'nats');
  mkdirSync(storeDir, { recursive: true });
  const logFile = join(storeDir, 'nats-server.log');
  say(`starting ${binary} -js on 127.0.0.1:${address.port} (store ${storeDir}, log ${logFile})`);
  // Own process group: a terminal Ctrl-C must not stop NATS before the services have drained.
  natsServer = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(address.port), '-sd', storeDir], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  natsServer.stdout.pipe(log);
  natsServer.stderr.pipe(log);
  children.set('nats-server', natsServer);
  let exited = false;
  natsServer.once('error', (error) => {
    exited = true;
    say(`cannot run nats-server: ${error.message}`);
  });
  natsServer.once('exit', (code, signal) => {
    exited = true;
    children.delete('nats-server');
    if (!stopping) {
      say(`nats-server exited (${signal ?? `code ${code}`}); see ${logFile}`);
      void shutdown(1);
    }
  });
  const deadline = Date.now() + NATS_START_TIMEOUT_MS;
  while (!(await accepts(address, 500))) {
    if (exited || Date.now() > deadline) {
      say(`nats-server did not accept connections within ${NATS_START_TIMEOUT_MS / 1000} s; see ${logFile}`);
      await shutdown(1);
    }
    await sleep(200);
  }
  say(`nats-server is up at nats://127.0.0.1:${address.port}`);
}

function provision() {
  say('applying the JetStream topology (tools/provision.mjs)');
  const result = spawnSync(process.execPath, [join(root, 'tools', 'provision.mjs')], { cwd: root, stdio: 'inherit', env: { ...process.env, NATS_URL } });
  if (result.status !== 0) {
    say('provisioning failed (see above); stopping');
    return shutdown(1);
  }
}

function serviceEnv() {
  const env = { ...process.env, NATS_URL };
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
  const env = serviceEnv();
  const width = Math.max(...SERVICES.map(([name]) => name.length)) + 2;
  SERVICES.forEach(([name], index) => {
    const label = `[${name}]`.padEnd(width);
    const prefix = useColour ? `\x1b[${COLOURS[index % COLOURS.length]}m${label}\x1b[0m` : label;
    const child = spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
      cwd: root,
      env,
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
  say('Ctrl-C stops everything.');
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

build();
await ensureNats();
await provision();
if (!stopping) {
  startServices();
  await reportReadiness();
}
