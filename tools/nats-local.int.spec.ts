import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, consumersOf } from '@platform/events';
import { createNatsIdentity, provision } from '@platform/events-ops';
import { PlatformService, platformTopology } from '@platform/contracts';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, chooseLoopbackPort, PLATFORM_NATS_IDENTITIES, prepareLocalNats, startNatsServer } from './nats-local.js';

// `npm start`'s own NATS (tools/start.ts uses exactly these pieces): identities generated once
// and reused, a config enforcing them, a nats-server that refuses anonymous clients.

const mode = async (path: string) => (await stat(path)).mode & 0o777;

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(-child.pid!, 'SIGTERM');
  });
}

describe('npm start: its own nats-server with the platform identities (tools/nats-local.ts)', () => {
  let natsDir: string;
  let server: ChildProcess | undefined;
  let first: ReturnType<typeof prepareLocalNats>;

  beforeAll(async () => {
    natsDir = await mkdtemp(join(tmpdir(), 'start-nats-'));
    const port = await chooseLoopbackPort(4222);
    if (await accepts({ host: '127.0.0.1', port: 4222 })) expect(port, 'a free port when 4222 is taken').not.toBe(4222);
    first = prepareLocalNats({ natsDir, port });
    server = await startNatsServer({ binary: process.env.NATS_SERVER_BIN || 'nats-server', configFile: first.configFile, port, logFile: first.logFile, timeoutMs: 10_000 });
    const nc = await connectNats({ url: first.url, service: 'provisioner', nkeySeedFile: first.identities['provisioner']!.seedFile });
    try {
      await provision(await jetstreamManager(nc), platformTopology());
    } finally {
      await nc.close();
    }
  });

  afterAll(async () => {
    await stop(server);
    if (natsDir) await rm(natsDir, { recursive: true, force: true });
  });

  it('generates one seed per identity, in a 0700 folder, each file 0600', async () => {
    expect(first.created.sort()).toEqual([...PLATFORM_NATS_IDENTITIES].sort());
    expect(first.reused).toEqual([]);
    expect(await mode(join(natsDir, 'identities'))).toBe(0o700);
    for (const identity of PLATFORM_NATS_IDENTITIES) {
      const { seedFile, publicKey } = first.identities[identity]!;
      expect(await mode(seedFile), seedFile).toBe(0o600);
      expect((await readFile(seedFile, 'utf8')).trim()).toMatch(/^SU[A-Z2-7]+$/);
      expect(publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    }
  });

  it('writes a server config with only public keys and no anonymous access', async () => {
    const config = await readFile(first.configFile, 'utf8');
    expect(config).toContain(`listen: "127.0.0.1:${first.port}"`);
    expect(config).not.toMatch(/no_auth_user|password|\bSU[A-Z2-7]{20,}/);
    for (const identity of PLATFORM_NATS_IDENTITIES) expect(config).toContain(`nkey: "${first.identities[identity]!.publicKey}"`);
  });

  it('refuses an anonymous client and an unknown NKey', async () => {
    await expect(connectNats({ url: first.url, service: 'anonymous' })).rejects.toThrow(/Authorization Violation/);
    const stranger = join(natsDir, 'stranger.seed');
    writeFileSync(stranger, createNatsIdentity('stranger').seed, { mode: 0o600 });
    await expect(connectNats({ url: first.url, service: 'stranger', nkeySeedFile: stranger })).rejects.toThrow(/Authorization Violation/);
  });

  it('lets each service connect with its own seed and read its own durables, not the JetStream API', async () => {
    const topology = platformTopology();
    for (const service of Object.values(PlatformService)) {
      const nc = await connectNats({ url: first.url, service, nkeySeedFile: first.identities[service]!.seedFile });
      try {
        const jsm = await jetstreamManager(nc, { checkAPI: false });
        for (const consumer of consumersOf(topology, service)) {
          expect((await jsm.consumers.info(consumer.stream, consumer.durable)).name, `${service} ${consumer.durable}`).toBe(consumer.durable);
        }
        // Stream administration belongs to the provisioner.
        await expect(jsm.streams.delete('ORDERS'), service).rejects.toThrow(/permission/i);
      } finally {
        await nc.close().catch(() => undefined);
      }
    }
  });

  it('reuses the seeds on a second run (tightening loosened permissions) and regenerates the config', async () => {
    await chmod(first.identities['order']!.seedFile, 0o644);
    const seeds = await Promise.all(PLATFORM_NATS_IDENTITIES.map((identity) => readFile(first.identities[identity]!.seedFile, 'utf8')));
    const port = await chooseLoopbackPort(4222);
    const second = prepareLocalNats({ natsDir, port });
    expect(second.created).toEqual([]);
    expect(second.reused.sort()).toEqual([...PLATFORM_NATS_IDENTITIES].sort());
    for (const [index, identity] of PLATFORM_NATS_IDENTITIES.entries()) {
      expect(second.identities[identity]!.publicKey).toBe(first.identities[identity]!.publicKey);
      expect(await readFile(second.identities[identity]!.seedFile, 'utf8')).toBe(seeds[index]);
      expect(await mode(second.identities[identity]!.seedFile)).toBe(0o600);
    }
    expect(await readFile(second.configFile, 'utf8')).toContain(`listen: "127.0.0.1:${port}"`);
  });
});

describe('npm start against an external NATS (tools/start.ts)', () => {
  it('refuses NATS_URL without NATS_IDENTITIES_DIR, before building anything (exit 2)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./start.ts', import.meta.url).pathname], {
      env: { ...process.env, NATS_URL: 'nats://127.0.0.1:4222', NATS_IDENTITIES_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(output).toMatch(/needs NATS_IDENTITIES_DIR/);
    expect(output).not.toMatch(/building/);
  });
});
