import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@platform/events';
import { natsOptionsOf } from '../bootstrap/start-service.js';
import { BaseServiceConfig } from './base-service.config.js';
import { loadConfig } from './load-config.js';
import { loadConfigError } from '../testing/config-error.js';

const loadError = (env: Record<string, string>): InvalidConfigError => loadConfigError(BaseServiceConfig, env);

describe('NATS credential and TLS keys of BaseServiceConfig', () => {
  let dir: string;
  let seedFile: string;
  let credsFile: string;
  let pemFile: string;
  let seed: string;
  const missing = '/nonexistent/nats-test-file';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nats-config-'));
    seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    seedFile = join(dir, 'user.nk');
    await writeFile(seedFile, `${seed}\n`);
    credsFile = join(dir, 'user.creds');
    await writeFile(
      credsFile,
      ['-----BEGIN NATS USER JWT-----', 'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig', '------END NATS USER JWT------', '', '************************* IMPORTANT *************************', '', '-----BEGIN USER NKEY SEED-----', seed, '------END USER NKEY SEED------', ''].join('\n'),
    );
    pemFile = join(dir, 'ca.pem');
    await writeFile(pemFile, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves every key unset by default (anonymous, no TLS)', () => {
    const config = loadConfig(BaseServiceConfig, {});
    for (const key of ['NATS_CREDS', 'NATS_NKEY_SEED_FILE', 'NATS_USER', 'NATS_PASSWORD', 'NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY'] as const) {
      expect(config[key], key).toBeUndefined();
    }
    expect(natsOptionsOf(config)).toEqual({ url: 'nats://127.0.0.1:4222', credsFile: undefined, nkeySeedFile: undefined, user: undefined, password: undefined });
  });

  it('accepts each auth method alone and passes it to the connection options', () => {
    expect(natsOptionsOf(loadConfig(BaseServiceConfig, { NATS_USER: 'order', NATS_PASSWORD: 'pw' }))).toMatchObject({ user: 'order', password: 'pw' });
    expect(natsOptionsOf(loadConfig(BaseServiceConfig, { NATS_NKEY_SEED_FILE: seedFile }))).toMatchObject({ nkeySeedFile: seedFile });
    expect(natsOptionsOf(loadConfig(BaseServiceConfig, { NATS_CREDS: credsFile }))).toMatchObject({ credsFile });
  });

  it('accepts the TLS files (CA alone, or with a client certificate and key) and passes them', () => {
    expect(natsOptionsOf(loadConfig(BaseServiceConfig, { NATS_TLS_CA: pemFile })).tls).toEqual({ caFile: pemFile, certFile: undefined, keyFile: undefined });
    const config = loadConfig(BaseServiceConfig, { NATS_TLS_CA: pemFile, NATS_TLS_CERT: pemFile, NATS_TLS_KEY: pemFile });
    expect(natsOptionsOf(config).tls).toEqual({ caFile: pemFile, certFile: pemFile, keyFile: pemFile });
  });

  it.each([
    [{ NATS_USER: 'order' }, 'NATS_USER', /without NATS_PASSWORD/],
    [{ NATS_PASSWORD: 'pw' }, 'NATS_PASSWORD', /without NATS_USER/],
    [{ NATS_TLS_CERT: 'PEM' }, 'NATS_TLS_CERT', /without NATS_TLS_KEY/],
    [{ NATS_TLS_KEY: 'PEM' }, 'NATS_TLS_KEY', /without NATS_TLS_CERT/],
  ])('refuses half a pair %j naming %s', (env, key, message) => {
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'PEM' ? pemFile : v]));
    const error = loadError(resolved);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  it.each([
    [{ NATS_CREDS: 'CREDS', NATS_USER: 'u', NATS_PASSWORD: 'p' }, 'NATS_CREDS and NATS_USER/NATS_PASSWORD'],
    [{ NATS_NKEY_SEED_FILE: 'SEED', NATS_USER: 'u', NATS_PASSWORD: 'p' }, 'NATS_NKEY_SEED_FILE and NATS_USER/NATS_PASSWORD'],
    [{ NATS_CREDS: 'CREDS', NATS_NKEY_SEED_FILE: 'SEED' }, 'NATS_CREDS and NATS_NKEY_SEED_FILE'],
  ])('refuses two auth methods at once %j', (env, named) => {
    const files: Record<string, string> = { CREDS: credsFile, SEED: seedFile };
    const error = loadError(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, files[v] ?? v])));
    expect(error.message).toContain(`at most one NATS auth method may be set, got ${named}`);
    expect(error.message).not.toContain('"p"');
  });

  it.each(['NATS_CREDS', 'NATS_NKEY_SEED_FILE', 'NATS_TLS_CA'])('refuses a %s path that does not exist, naming the key', (key) => {
    const error = loadError({ [key]: missing });
    expect(error.key).toBe(key);
    expect(error.message).toMatch(new RegExp(`^invalid config ${key}: .*does not exist`));
  });

  it('refuses a TLS cert/key path that does not exist, naming the key', () => {
    expect(loadError({ NATS_TLS_CERT: missing, NATS_TLS_KEY: pemFile }).key).toBe('NATS_TLS_CERT');
    expect(loadError({ NATS_TLS_CERT: pemFile, NATS_TLS_KEY: missing }).key).toBe('NATS_TLS_KEY');
  });

  it('refuses a folder and an unreadable file', async () => {
    expect(loadError({ NATS_TLS_CA: dir }).message).toContain('is not a file');
    if (process.getuid?.() === 0) return; // root reads any file
    const unreadable = join(dir, 'unreadable.pem');
    await writeFile(unreadable, 'x');
    await chmod(unreadable, 0o000);
    expect(loadError({ NATS_TLS_CA: unreadable }).message).toMatch(/cannot be read/);
  });

  it('refuses a seed file that holds no user NKey seed, without echoing it', async () => {
    const bad = join(dir, 'bad.nk');
    await writeFile(bad, 'not-a-seed');
    expect(loadError({ NATS_NKEY_SEED_FILE: bad })).toMatchObject({ key: 'NATS_NKEY_SEED_FILE', message: expect.stringMatching(/does not hold a valid NKey seed/) });
    const account = join(dir, 'account.nk');
    const accountSeed = new TextDecoder().decode(nkeys.createAccount().getSeed());
    await writeFile(account, accountSeed);
    const error = loadError({ NATS_NKEY_SEED_FILE: account });
    expect(error.message).toMatch(/not a user seed/);
    expect(error.message).not.toContain(accountSeed);
  });

  it('refuses a creds file without the JWT and seed blocks', async () => {
    const bad = join(dir, 'bad.creds');
    await writeFile(bad, seed);
    const error = loadError({ NATS_CREDS: bad });
    expect(error.key).toBe('NATS_CREDS');
    expect(error.message).toMatch(/is not a \.creds file/);
    expect(error.message).not.toContain(seed);
  });

  it('never echoes the password', () => {
    const error = loadError({ NATS_PASSWORD: 'hunter2-secret' });
    expect(error.message).not.toContain('hunter2-secret');
  });
});
