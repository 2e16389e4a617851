import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, consumersOf } from '@platform/events';
import { PlatformService, PlatformStream, platformTopology, SubjectDomain } from '@platform/contracts';
import { type PlatformTestNats, startPlatformTestNats } from './testing/platform-nats.js';
import { PlatformAdminIdentity } from './identities.js';
import { createNatsIdentity } from './nats-auth.js';

// The server config that `npm start`, the e2e harness and Kubernetes run (the generated
// `platformNatsAuthorizationConfig`) on a real nats-server: each service can do what its topology
// needs and nothing else; nobody connects anonymously.
const topology = platformTopology();
const services = Object.values(PlatformService);
const domains = Object.entries(SubjectDomain) as [string, string][];
const REFUSED_MS = 750;

describe.each([{ tls: false }, { tls: true }])('the platform NATS identities on a nats-server running the generated config (TLS: $tls)', ({ tls }) => {
  let nats: PlatformTestNats;
  const connections = new Map<string, NatsConnection>();
  const as = (identity: string) => connections.get(identity)!;

  beforeAll(async () => {
    nats = await startPlatformTestNats({ tls });
    for (const identity of [...services, PlatformAdminIdentity.Provisioner, PlatformAdminIdentity.Operator]) connections.set(identity, await nats.connect(identity));
    // Something in the DLQ for the "cannot read the DLQ" checks to be meaningful.
    await jetstream(as(PlatformAdminIdentity.Operator)).publish('dlq.payment-orders.orders.demo.created', '{}');
  });

  afterAll(async () => {
    for (const nc of connections.values()) await nc.close().catch(() => undefined);
    await nats?.dispose();
  });

  it('refuses an anonymous connection and a seed the server does not know', async () => {
    const caFile = nats.certificates?.caFile;
    const tlsOptions = caFile ? { tls: { caFile } } : {};
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 2000, ...tlsOptions })).rejects.toThrow(/authorization/i);
    const stranger = createNatsIdentity('stranger');
    const dir = await mkdtemp(join(tmpdir(), 'stranger-'));
    try {
      await writeFile(join(dir, 'seed.nk'), stranger.seed, { mode: 0o600 });
      await expect(connectNats({ url: nats.url, service: 'stranger', nkeySeedFile: join(dir, 'seed.nk'), ...tlsOptions })).rejects.toThrow(
        /NATS authentication failed \(NATS_NKEY_SEED_FILE\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Registered for the TLS server only.
  if (tls)
    it('refuses a connection without TLS, even with a valid seed, and one that does not trust the CA', async () => {
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 2000 })).rejects.toThrow();
    const env = nats.envFor('order');
    // The server requires TLS: a plain client is refused before it can authenticate.
    await expect(connectNats({ url: env.NATS_URL, service: 'order', nkeySeedFile: env.NATS_NKEY_SEED_FILE })).rejects.toThrow();
    // TLS to a server whose certificate the client's trust store does not know.
    await expect(connectNats({ url: env.NATS_URL, service: 'order', nkeySeedFile: env.NATS_NKEY_SEED_FILE, tls: {} })).rejects.toThrow();
    expect(env.NATS_TLS_CA).toBe(nats.certificates!.caFile);
  });

  it.each(services)("%s publishes only its own domain's events", async (service) => {
    const js = jetstream(as(service));
    for (const [producer, domain] of domains) {
      const publish = js.publish(`${domain}.demo.probe`, '{}', { timeout: REFUSED_MS, retries: 0 });
      if (producer === service) await expect(publish).resolves.toMatchObject({ stream: expect.any(String) });
      else await expect(publish, `${service} → ${domain}`).rejects.toThrow();
    }
  });

  it.each(services)('%s reads its own durables and no other service’s', async (service) => {
    const js = jetstream(as(service));
    const own = consumersOf(topology, service);
    for (const consumer of own) await expect(js.consumers.get(consumer.stream, consumer.durable)).resolves.toBeDefined();
    const others = topology.consumers.filter((consumer) => consumer.service !== service);
    expect(others.length).toBeGreaterThan(0);
    for (const consumer of others) {
      await expect(js.consumers.get(consumer.stream, consumer.durable), `${service} → ${consumer.durable}`).rejects.toThrow();
    }
  });

  it.each(services)('%s can neither read the DLQ nor administer streams and consumers', async (service) => {
    const jsm = await jetstreamManager(as(service), { checkAPI: false, timeout: REFUSED_MS });
    await expect(jsm.streams.getMessage(PlatformStream.Dlq, { seq: 1 })).rejects.toThrow();
    await expect(jsm.streams.info(PlatformStream.Dlq)).rejects.toThrow();
    await expect(jsm.consumers.add(PlatformStream.Dlq, { durable_name: `${service}-dlq-reader`, ack_policy: AckPolicy.Explicit })).rejects.toThrow();
    await expect(jsm.streams.add({ name: `ROGUE_${service.toUpperCase()}`, subjects: [`rogue.${service}.>`], retention: RetentionPolicy.Limits })).rejects.toThrow();
    await expect(jsm.streams.delete(PlatformStream.Orders)).rejects.toThrow();
    const [ownConsumer] = consumersOf(topology, service);
    await expect(jsm.consumers.delete(ownConsumer!.stream, ownConsumer!.durable)).rejects.toThrow();
    // Nothing was changed by the attempts.
    const operatorJsm = await jetstreamManager(as(PlatformAdminIdentity.Operator));
    await expect(operatorJsm.consumers.info(ownConsumer!.stream, ownConsumer!.durable)).resolves.toMatchObject({ name: ownConsumer!.durable });
    await expect(operatorJsm.streams.info(`ROGUE_${service.toUpperCase()}`)).rejects.toThrow(/not found/);
  });

  it('the provisioner administers streams but cannot publish or read events', async () => {
    const jsm = await jetstreamManager(as(PlatformAdminIdentity.Provisioner));
    await expect(jsm.streams.info(PlatformStream.Orders)).resolves.toMatchObject({ config: { name: PlatformStream.Orders } });
    await expect(jetstream(as(PlatformAdminIdentity.Provisioner)).publish('orders.demo.created', '{}', { timeout: REFUSED_MS, retries: 0 })).rejects.toThrow();
    const sub = as(PlatformAdminIdentity.Provisioner).subscribe('orders.>');
    await expect(sub.closed).resolves.toBeInstanceOf(Error);
  });

  it('the operator reads the DLQ', async () => {
    const jsm = await jetstreamManager(as(PlatformAdminIdentity.Operator));
    await expect(jsm.streams.getMessage(PlatformStream.Dlq, { seq: 1 })).resolves.toMatchObject({ subject: 'dlq.payment-orders.orders.demo.created' });
  });
});
