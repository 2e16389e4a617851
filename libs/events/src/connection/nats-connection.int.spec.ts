import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors.js';
import { startTestNatsServer, type TestNatsServer } from '../testing/nats-server.js';
import { connectNats, NatsAuthenticationError, type NatsConnectionOptions } from './nats-connection.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function connectAndPing(options: NatsConnectionOptions): Promise<void> {
  const nc = await connectNats(options);
  try {
    await nc.flush();
    expect(nc.info?.server_id).toBeTruthy();
  } finally {
    await nc.close();
  }
}

async function refusal(options: NatsConnectionOptions): Promise<Error> {
  const error = await connectNats(options).then(
    async (nc) => {
      await nc.close();
      return undefined;
    },
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error('the connection was accepted');
  return error;
}

// Credentials of the NATS connection against a nats-server of this test's own that requires them.
describe('connectNats with credentials on an authenticated nats-server', () => {
  let server: TestNatsServer;
  let dir: string;
  let seedFile: string;
  let strangerSeedFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nats-auth-'));
    const user = nkeys.createUser();
    seedFile = join(dir, 'order.nk');
    await writeFile(seedFile, `${text(user.getSeed())}\n`);
    strangerSeedFile = join(dir, 'stranger.nk');
    await writeFile(strangerSeedFile, text(nkeys.createUser().getSeed()));
    server = await startTestNatsServer({
      config: (port, storeDir) =>
        [
          `listen: "127.0.0.1:${port}"`,
          `jetstream { store_dir: "${storeDir}" }`,
          'authorization { users: [',
          '{ user: "order", password: "order-secret" }',
          `{ nkey: "${user.getPublicKey()}" }`,
          '] }',
        ].join('\n'),
    });
  });
  afterAll(async () => {
    await server?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('connects with NATS_USER/NATS_PASSWORD', async () => {
    await connectAndPing({ url: server.url, service: 'order', user: 'order', password: 'order-secret' });
  });

  it('connects with an NKey seed file (NATS_NKEY_SEED_FILE)', async () => {
    await connectAndPing({ url: server.url, service: 'order', nkeySeedFile: seedFile });
  });

  it('refuses an anonymous connection with an error saying no credentials were given', async () => {
    const error = await refusal({ url: server.url, service: 'order' });
    expect(error).toBeInstanceOf(NatsAuthenticationError);
    expect(error.message).toMatch(/^NATS authentication failed \(anonymous: none of NATS_CREDS, NATS_NKEY_SEED_FILE, NATS_USER\/NATS_PASSWORD set\): Authorization Violation/);
  });

  it('refuses a wrong password naming NATS_USER/NATS_PASSWORD, without the password', async () => {
    const error = await refusal({ url: server.url, service: 'order', user: 'order', password: 'wrong-secret' });
    expect(error).toBeInstanceOf(NatsAuthenticationError);
    expect((error as NatsAuthenticationError).key).toBe('NATS_USER/NATS_PASSWORD');
    expect(error.message).toMatch(/^NATS authentication failed \(NATS_USER\/NATS_PASSWORD\): /);
    expect(error.message).not.toContain('wrong-secret');
  });

  it('refuses an unknown NKey naming NATS_NKEY_SEED_FILE', async () => {
    const error = await refusal({ url: server.url, service: 'order', nkeySeedFile: strangerSeedFile });
    expect(error).toBeInstanceOf(NatsAuthenticationError);
    expect(error.message).toMatch(/^NATS authentication failed \(NATS_NKEY_SEED_FILE\): /);
  });

  it('refuses before connecting: a missing seed/creds file, a bad seed, half a user/password pair, two methods', async () => {
    const expectConfigError = async (options: Omit<NatsConnectionOptions, 'url' | 'service'>, key: string, message: RegExp) => {
      const error = await refusal({ url: server.url, service: 'order', ...options });
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).key).toBe(key);
      expect(error.message).toMatch(message);
    };
    await expectConfigError({ nkeySeedFile: join(dir, 'missing.nk') }, 'NATS_NKEY_SEED_FILE', /cannot read .*ENOENT/);
    await expectConfigError({ credsFile: join(dir, 'missing.creds') }, 'NATS_CREDS', /cannot read .*ENOENT/);
    const bad = join(dir, 'bad.nk');
    await writeFile(bad, 'SUNOTASEED');
    await expectConfigError({ nkeySeedFile: bad }, 'NATS_NKEY_SEED_FILE', /not hold a valid NKey seed/);
    await expectConfigError({ credsFile: seedFile }, 'NATS_CREDS', /not a \.creds file/);
    await expectConfigError({ user: 'order' }, 'NATS_USER', /without NATS_PASSWORD/);
    await expectConfigError({ user: 'order', password: 'order-secret', nkeySeedFile: seedFile }, 'NATS_NKEY_SEED_FILE', /at most one NATS auth method/);
    await expectConfigError({ tls: { keyFile: seedFile } }, 'NATS_TLS_KEY', /without NATS_TLS_CERT/);
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

// TLS with certificates generated by the openssl CLI (no certificate library is installed); skipped without it.
describe.skipIf(!hasOpenssl)('connectNats with TLS (certificates from openssl)', () => {
  let server: TestNatsServer;
  let dir: string;
  const file = (name: string) => join(dir, name);

  const openssl = (...args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nats-tls-'));
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
    await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await writeFile(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const name of ['server', 'client']) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    }
    server = await startTestNatsServer({
      config: (port, storeDir) =>
        [
          `listen: "127.0.0.1:${port}"`,
          `jetstream { store_dir: "${storeDir}" }`,
          `tls { cert_file: "${file('server.pem')}", key_file: "${file('server.key')}", ca_file: "${file('ca.pem')}", verify: true, timeout: 2 }`,
          'authorization { users: [ { user: "order", password: "order-secret" } ] }',
        ].join('\n'),
    });
  });
  afterAll(async () => {
    await server?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('connects with the CA, a client certificate and key, and user/password', async () => {
    await connectAndPing({
      url: server.url,
      service: 'order',
      user: 'order',
      password: 'order-secret',
      tls: { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') },
    });
  });

  it('fails without the client certificate the server requires', async () => {
    const error = await refusal({ url: server.url, service: 'order', user: 'order', password: 'order-secret', tls: { caFile: file('ca.pem') }, timeoutMs: 2000 });
    expect(error.message).toMatch(/^NATS TLS connection failed \(NATS_TLS_CA\): /);
  });

  it('fails when the server certificate is not signed by the given CA', async () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other-ca', '-keyout', 'other.key', '-out', 'other.pem');
    const error = await refusal({
      url: server.url,
      service: 'order',
      user: 'order',
      password: 'order-secret',
      tls: { caFile: file('other.pem'), certFile: file('client.pem'), keyFile: file('client.key') },
    });
    expect(error.message).toMatch(/^NATS TLS connection failed \(NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY\): .*certificate/i);
  });

  it('names the key of a TLS file that cannot be read', async () => {
    const error = await refusal({ url: server.url, service: 'order', tls: { caFile: file('missing.pem') } });
    expect(error).toMatchObject({ key: 'NATS_TLS_CA' });
  });
});
