import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { Module } from '@nestjs/common';
import { startTestNatsServer, type TestNatsServer } from '@platform/events/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { startTestService } from '../testing/start-test-service.js';
import type { ServiceDefinition } from './service-definition.js';

@Module({})
class EmptyModule {}

const definition: ServiceDefinition = { name: 'probe', module: EmptyModule, configClass: BaseServiceConfig };

// A service reads its NATS credentials from its config (NATS_USER/NATS_PASSWORD, NATS_NKEY_SEED_FILE)
// and, when the server refuses them, fails to start with an error naming the key (bootstrapService
// logs it and exits 1, as for an unreachable NATS).
describe('startService on a NATS server that requires credentials', () => {
  let server: TestNatsServer;
  let dir: string;
  let seedFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'service-nats-auth-'));
    const user = nkeys.createUser();
    seedFile = join(dir, 'probe.nk');
    await writeFile(seedFile, text(user.getSeed()));
    server = await startTestNatsServer({
      config: (port, storeDir) =>
        [
          `listen: "127.0.0.1:${port}"`,
          `jetstream { store_dir: "${storeDir}" }`,
          `authorization { users: [ { user: "probe", password: "probe-secret" }, { nkey: "${user.getPublicKey()}" } ] }`,
        ].join('\n'),
    });
  });
  afterAll(async () => {
    await server?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['NATS_USER/NATS_PASSWORD', () => ({ NATS_USER: 'probe', NATS_PASSWORD: 'probe-secret' })],
    ['NATS_NKEY_SEED_FILE', () => ({ NATS_NKEY_SEED_FILE: seedFile })],
  ])('starts and is ready with %s', async (_method, env) => {
    const service = await startTestService(definition, { NATS_URL: server.url, ...env() });
    try {
      const response = await fetch(`${service.url}/health/ready`);
      expect(await response.json()).toMatchObject({ status: 'ready', checks: { nats: true } });
    } finally {
      await service.dispose();
    }
  });

  it('refuses to start with a wrong password, naming NATS_USER/NATS_PASSWORD', async () => {
    await expect(startTestService(definition, { NATS_URL: server.url, NATS_USER: 'probe', NATS_PASSWORD: 'wrong' })).rejects.toThrow(
      /^NATS authentication failed \(NATS_USER\/NATS_PASSWORD\): Authorization Violation/,
    );
  });

  it('refuses to start without credentials, saying none were set', async () => {
    await expect(startTestService(definition, { NATS_URL: server.url })).rejects.toThrow(/^NATS authentication failed \(anonymous: none of NATS_CREDS/);
  });
});

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
