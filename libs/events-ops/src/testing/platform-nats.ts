import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats, createEnvelope, encodeEnvelope, JetStreamPublisher } from '@platform/events';
import type { EventEnvelope, Topology } from '@platform/events';
import { platformTopology, type PlatformTopologyOptions, subjectFor } from '@platform/contracts';
import { createTestCertificates, type ReadMessage, readStream, startTestNatsServer, type TestCertificates, type TestNatsServer } from '@platform/events/testing';
import { createPlatformNatsIdentities, PlatformAdminIdentity, platformNatsAuthorizationConfig } from '../identities.js';
import { provision } from '../provisioner.js';
import type { NatsIdentity } from '../nats-auth.js';

/** A test nats-server with the platform topology provisioned, and helpers to feed and read it. */
export interface PlatformTestNats extends TestNatsServer {
  /**
   * The environment a process needs to connect as `identity` (a service, `provisioner` or
   * `operator`): `NATS_URL` and `NATS_NKEY_SEED_FILE`, the file holding that identity's seed.
   */
  envFor(identity: string): { NATS_URL: string; NATS_NKEY_SEED_FILE: string; NATS_TLS_CA?: string };
  /** With `tls: true`: the CA and server certificate files the server uses (clients trust `caFile`). */
  readonly certificates?: TestCertificates;
  /** The seed file of `identity`. */
  seedFile(identity: string): string;
  /** A connection as `identity` (default the unrestricted `operator`); close it when done. */
  connect(identity?: string): Promise<NatsConnection>;
  /**
   * Publish an event as the producing service would (a complete CloudEvents envelope, `Nats-Msg-Id`
   * = event id). `sequence` defaults to 1; pass it for later events of the same aggregate.
   */
  publish<Data extends object>(input: {
    type: string;
    tenantId: string;
    aggregateId: string;
    data: Data;
    sequence?: number;
    source?: string;
  }): Promise<EventEnvelope<Data>>;
  /**
   * Publish an envelope that was published before once more, under another `Nats-Msg-Id`: the same
   * event (same id) delivered twice, past JetStream's de-duplication — what consumers' inboxes absorb.
   */
  republish(envelope: EventEnvelope): Promise<void>;
  /** Every message of `stream` (ORDERS, PAYMENTS, …, DLQ) in stream order. */
  read(stream: string): Promise<ReadMessage[]>;
  /**
   * Resolves once each durable has nothing left to deliver and nothing unacknowledged (the flow
   * through them has settled); rejects after `timeoutMs` (default 30 s) naming the busy ones.
   */
  settled(consumers: ReadonlyArray<{ readonly stream: string; readonly durable: string }>, timeoutMs?: number): Promise<void>;
}

/**
 * The platform's NATS identities for a test server or cluster: a fresh NKey per identity, the
 * generated `accounts` block enforcing them (the same text on every node of a cluster), and, once
 * `writeSeeds` ran, each identity's seed in a file of `seedDir`.
 */
export interface PlatformNatsIdentitySet {
  readonly topology: Topology;
  /** The server configuration's `accounts` block (`platformNatsAuthorizationConfig`). */
  readonly authorization: string;
  readonly seedDir: string;
  seedFile(identity: string): string;
  /** Write every identity's seed to its file (mode 0600) under `seedDir`. */
  writeSeeds(): Promise<void>;
}

export function platformNatsIdentitySet(topology: Topology, seedDir: string): PlatformNatsIdentitySet {
  const identities: Record<string, NatsIdentity> = createPlatformNatsIdentities();
  const publicKeys = Object.fromEntries(Object.values(identities).map((identity) => [identity.name, identity.publicKey]));
  const seedFile = (identity: string): string => {
    if (!identities[identity]) throw new Error(`no NATS identity ${identity} (known: ${Object.keys(identities).join(', ')})`);
    return join(seedDir, `${identity}.nk`);
  };
  return {
    topology,
    authorization: platformNatsAuthorizationConfig(topology, publicKeys),
    seedDir,
    seedFile,
    writeSeeds: async () => {
      await mkdir(seedDir, { recursive: true, mode: 0o700 });
      for (const identity of Object.values(identities)) {
        await writeFile(seedFile(identity.name), `${identity.seed}\n`, { mode: 0o600 });
        await chmod(seedFile(identity.name), 0o600);
      }
    },
  };
}

/** What {@link platformNatsClient} adds to a running server or cluster: everything of PlatformTestNats but the process handles. */
export type PlatformNatsClient = Omit<PlatformTestNats, keyof TestNatsServer | 'certificates'>;

/**
 * The connection helpers of {@link PlatformTestNats} for the server(s) at `url` (comma-separated
 * for a cluster), each connecting with the seeds of `identities`.
 */
export function platformNatsClient(url: string, identities: Pick<PlatformNatsIdentitySet, 'seedFile'>, certificates?: TestCertificates): PlatformNatsClient {
  const { seedFile } = identities;
  const connectAs = (identity: string = PlatformAdminIdentity.Operator): Promise<NatsConnection> =>
    connectNats({ url, service: identity, nkeySeedFile: seedFile(identity), ...(certificates ? { tls: { caFile: certificates.caFile } } : {}) });
  const withConnection = async <T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> => {
    const nc = await connectAs();
    try {
      return await fn(nc);
    } finally {
      await nc.close();
    }
  };
  return {
    envFor: (identity) => ({ NATS_URL: url, NATS_NKEY_SEED_FILE: seedFile(identity), ...(certificates ? { NATS_TLS_CA: certificates.caFile } : {}) }),
    seedFile,
    connect: connectAs,
    publish: (input) =>
      withConnection(async (nc) => {
        const envelope = createEnvelope({
          source: input.source ?? 'test',
          type: input.type,
          tenantId: input.tenantId,
          subject: input.aggregateId,
          sequence: input.sequence ?? 1,
          data: input.data,
        });
        await new JetStreamPublisher(jetstream(nc)).publish(subjectFor(envelope.type, envelope.tenantid), encodeEnvelope(envelope), { msgId: envelope.id });
        return envelope;
      }),
    republish: (envelope) =>
      withConnection(async (nc) => {
        await new JetStreamPublisher(jetstream(nc)).publish(subjectFor(envelope.type, envelope.tenantid), encodeEnvelope(envelope), { msgId: `${envelope.id}-again` });
      }),
    read: (stream) => withConnection(async (nc) => readStream(await jetstreamManager(nc), stream)),
    settled: (consumers, timeoutMs = 30_000) =>
      withConnection(async (nc) => {
        const jsm = await jetstreamManager(nc);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const infos = await Promise.all(consumers.map((c) => jsm.consumers.info(c.stream, c.durable)));
          const busy = infos.filter((info) => info.num_pending > 0 || info.num_ack_pending > 0);
          if (busy.length === 0) return;
          if (Date.now() > deadline) {
            throw new Error(`not settled after ${timeoutMs} ms: ${busy.map((i) => `${i.name} pending=${i.num_pending} ack_pending=${i.num_ack_pending}`).join(', ')}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
  };
}

/** Provision `topology` as the platform's `provisioner` identity (the only one allowed to). */
export async function provisionAsProvisioner(client: Pick<PlatformNatsClient, 'connect'>, topology: Topology): Promise<void> {
  const nc = await client.connect(PlatformAdminIdentity.Provisioner);
  try {
    await provision(await jetstreamManager(nc), topology);
  } finally {
    await nc.close();
  }
}

/**
 * Start a nats-server on a free loopback port that enforces the platform's NATS identities (the
 * generated config of `platformNatsAuthorizationConfig`: no anonymous access, each service with
 * exactly its permissions), provision `platformTopology(options.topology)` on it as the
 * provisioner, and keep every identity's seed in a file under the server's store
 * (`envFor(service)` hands them to a service). `dispose()` stops it and deletes store and seeds.
 */
export async function startPlatformTestNats(options: { readonly topology?: PlatformTopologyOptions; readonly tls?: boolean } = {}): Promise<PlatformTestNats> {
  const topology = platformTopology(options.topology);
  // TLS: every client connection must be TLS (the server refuses plain ones), with a CA of the test's own.
  const certDir = options.tls ? await mkdtemp(join(tmpdir(), 'nats-tls-')) : undefined;
  const certificates = certDir ? await createTestCertificates(certDir) : undefined;
  const tlsBlock = certificates
    ? `tls { cert_file: ${JSON.stringify(certificates.certFile)}, key_file: ${JSON.stringify(certificates.keyFile)}, ca_file: ${JSON.stringify(certificates.caFile)}, timeout: 2 }`
    : '';
  // The seed folder is only known once the server's store exists; the accounts block is needed before.
  let identities: PlatformNatsIdentitySet | undefined;
  const server = await startTestNatsServer({
    config: (port, storeDir) => {
      identities = platformNatsIdentitySet(topology, join(storeDir, '..', 'identities'));
      return [`listen: "127.0.0.1:${port}"`, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`, tlsBlock, identities.authorization].join('\n');
    },
  });
  const client = platformNatsClient(server.url, identities!, certificates);
  const dispose = async () => {
    await server.dispose();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  };
  try {
    await identities!.writeSeeds();
    await provisionAsProvisioner(client, topology);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { ...server, ...client, certificates, dispose };
}
