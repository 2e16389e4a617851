import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectNats, DeadLetterPublisher, durableName, JetStreamPublisher, MaxDeliveriesAdvisoryListener } from '@platform/events';
import { startTestNatsServer, type TestNatsServer } from '@platform/events/testing';
import type { Topology } from '@platform/events';
import { createNatsIdentity, natsAuthorizationConfig, type NatsIdentity } from './nats-auth.js';
import { servicePermissions } from './permissions.js';
import { provision } from './provisioner.js';

// The permissions generated for a service (and printed in docs/topology.md) are enough for the
// library's steady-state paths, and no more: checked on a nats-server of this test's own with users.
const durable = durableName('payment', 'ORDERS');
const topology: Topology = {
  streams: [
    { name: 'ORDERS', subjects: ['orders.>'], description: 'orders', duplicateWindowMs: 60_000 },
    { name: 'PAYMENTS', subjects: ['payments.>'], description: 'payments', duplicateWindowMs: 60_000 },
    { name: 'DLQ', subjects: ['dlq.>'], description: 'dead letters', duplicateWindowMs: 60_000 },
  ],
  consumers: [
    {
      stream: 'ORDERS',
      durable,
      service: 'payment',
      filterSubject: 'orders.*.*',
      description: 'payment',
      ackWaitMs: 300,
      maxDeliver: 2,
      maxAckPending: 100,
    },
    {
      stream: 'ORDERS',
      durable: durableName('inventory', 'ORDERS'),
      service: 'inventory',
      filterSubject: 'orders.*.*',
      description: 'inventory',
      ackWaitMs: 30_000,
      maxDeliver: 5,
      maxAckPending: 100,
    },
  ],
};

describe('servicePermissions on an authenticated nats-server', () => {
  let server: TestNatsServer;
  let url: string;
  let admin: NatsConnection;
  let adminJsm: JetStreamManager;
  let payment: NatsConnection;

  const identities = { admin: createNatsIdentity('admin'), payment: createNatsIdentity('payment'), replayer: createNatsIdentity('replayer') };
  let seedDir: string;
  const as = async (identity: NatsIdentity): Promise<NatsConnection> => {
    const file = join(seedDir, `${identity.name}.nk`);
    await writeFile(file, identity.seed, { mode: 0o600 });
    return connectNats({ url, service: identity.name, nkeySeedFile: file });
  };

  beforeAll(async () => {
    seedDir = await mkdtemp(join(tmpdir(), 'permissions-seeds-'));
    server = await startTestNatsServer({
      config: (port, storeDir) =>
        [
          `listen: "127.0.0.1:${port}"`,
          `jetstream { store_dir: "${storeDir}" }`,
          natsAuthorizationConfig({
            account: 'APP',
            users: [
              { name: 'admin', publicKey: identities.admin.publicKey },
              { name: 'payment', publicKey: identities.payment.publicKey, permissions: servicePermissions(topology, 'payment') },
              {
                name: 'replayer',
                publicKey: identities.replayer.publicKey,
                permissions: servicePermissions(topology, 'payment', { replayStreams: ['ORDERS'], inboxPrefix: '_INBOX_replayer' }),
              },
            ],
          }),
        ].join('\n'),
    });
    url = server.url;
    admin = await as(identities.admin);
    adminJsm = await jetstreamManager(admin);
    await provision(adminJsm, topology);
    payment = await as(identities.payment);
  });

  afterAll(async () => {
    await payment?.close();
    await admin?.close();
    await server?.dispose();
    await rm(seedDir, { recursive: true, force: true });
  });

  it('lets the service pull and ack its durable, publish its events, and dead-letter from the max-deliveries advisory', async () => {
    const js = jetstream(payment);
    const adminJs = jetstream(admin);
    const advisories = new MaxDeliveriesAdvisoryListener({
      nc: payment,
      jsm: await jetstreamManager(payment, { checkAPI: false }),
      consumers: [{ stream: 'ORDERS', durable }],
      deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
    });
    advisories.start();
    try {
      await adminJs.publish('orders.demo.created', 'first');
      await adminJs.publish('orders.demo.created', 'poison');
      const consumer = await js.consumers.get('ORDERS', durable);

      const first = await consumer.next({ expires: 2000 });
      expect(first?.string()).toBe('first');
      expect(await first!.ackAck()).toBe(true);

      // Never acked: redelivered once after the 300 ms ack wait, then given up (max_deliver 2).
      for (let delivery = 1; delivery <= 2; delivery++) {
        const poison = await consumer.next({ expires: 3000 });
        expect([poison?.string(), poison?.info.deliveryCount]).toEqual(['poison', delivery]);
      }
      // The server notices the exhausted message (and emits the advisory) on a later pull.
      await vi.waitFor(
        async () => {
          expect(await consumer.next({ expires: 1000 })).toBeNull();
          expect((await adminJsm.streams.info('DLQ')).state.messages).toBe(1);
        },
        { timeout: 5000, interval: 50 },
      );
      expect((await adminJsm.streams.getMessage('DLQ', { seq: 1 }))?.subject).toBe(`dlq.${durable}.orders.demo.created`);

      const ack = await js.publish('payments.demo.authorized', 'ok');
      expect(ack.stream).toBe('PAYMENTS');
    } finally {
      await advisories.stop();
    }
  });

  it("refuses what the service does not own: another domain's subjects, another durable, stream admin", async () => {
    const js = jetstream(payment);
    const stored = (await adminJsm.streams.info('ORDERS')).state.messages;
    await expect(js.publish('orders.demo.created', 'forged', { timeout: 1000, retries: 0 })).rejects.toThrow();
    await expect(js.consumers.get('ORDERS', durableName('inventory', 'ORDERS'))).rejects.toThrow();
    const jsm = await jetstreamManager(payment, { checkAPI: false });
    await expect(jsm.streams.delete('ORDERS')).rejects.toThrow();
    expect((await adminJsm.streams.info('ORDERS')).state.messages).toBe(stored);
  });

  it('lets a service with replayStreams re-read a stream by sequence, and not through consumers', async () => {
    await jetstream(admin).publish('orders.demo.confirmed', 'replayed');
    const { first_seq: first, last_seq: last } = (await adminJsm.streams.info('ORDERS')).state;
    const replayer = await as(identities.replayer);
    try {
      const jsm = await jetstreamManager(replayer);
      const seen: string[] = [];
      for (let seq = first; seq <= last; seq++) {
        const message = await jsm.streams.getMessage('ORDERS', { seq });
        if (message) seen.push(message.string());
      }
      expect(seen).toContain('replayed');
      expect(seen).toHaveLength(last - first + 1);
      // No consumer: not an ordered one, and none of the other services' durables.
      await expect(jetstream(replayer).consumers.get('ORDERS').then((consumer) => consumer.next({ expires: 1000 }))).rejects.toThrow();
      await expect(jsm.consumers.delete('ORDERS', durableName('inventory', 'ORDERS'))).rejects.toThrow();
    } finally {
      await replayer.close();
    }
    expect((await adminJsm.consumers.info('ORDERS', durableName('inventory', 'ORDERS'))).name).toBe(durableName('inventory', 'ORDERS'));
  });
});
