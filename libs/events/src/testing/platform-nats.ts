import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import { createEnvelope } from '../envelope/create-envelope.js';
import { encodeEnvelope } from '../envelope/encode-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { subjectFor } from '../subjects/subjects.js';
import { provision } from '../topology/provisioner.js';
import { platformTopology, type PlatformTopologyOptions } from '../topology/platform.topology.js';
import { readStream, type ReadMessage } from './stream-reader.js';
import { startTestNatsServer, type TestNatsServer } from './nats-server.js';

/** A test nats-server with the platform topology provisioned, and helpers to feed and read it. */
export interface PlatformTestNats extends TestNatsServer {
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
 * Start a nats-server on a free loopback port and provision `platformTopology(options.topology)` on it, so that a
 * service under test finds its durable consumers; `dispose()` stops it and deletes its store.
 */
export async function startPlatformTestNats(options: { readonly topology?: PlatformTopologyOptions } = {}): Promise<PlatformTestNats> {
  const server = await startTestNatsServer();
  try {
    const nc = await connect({ servers: server.url });
    try {
      await provision(await jetstreamManager(nc), platformTopology(options.topology));
    } finally {
      await nc.close();
    }
  } catch (error) {
    await server.dispose();
    throw error;
  }
  const withConnection = async <T>(fn: (nc: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> => {
    const nc = await connect({ servers: server.url });
    try {
      return await fn(nc);
    } finally {
      await nc.close();
    }
  };
  return {
    ...server,
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
