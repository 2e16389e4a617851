import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { InMemoryPublisher } from '../testing/in-memory.publisher.js';
import { describePublisherConformance } from '../testing/publisher.conformance.js';
import { readStream } from '../testing/stream-reader.js';
import { JetStreamPublisher } from './jetstream.publisher.js';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

describePublisherConformance('InMemoryPublisher', async () => {
  const publisher = new InMemoryPublisher();
  return {
    publisher,
    subject: (token) => `mem.${token}`,
    read: async () => publisher.messages.map((m) => ({ seq: m.seq, subject: m.subject, payload: decode(m.payload), headers: { ...m.headers } })),
    cleanup: async () => undefined,
  };
});

describePublisherConformance('JetStreamPublisher (nats-server on 127.0.0.1:4222)', async () => {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const stream = `TEST_PUB_${id}`;
  const prefix = `tpub${id}`;
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: 60_000_000_000 });
  return {
    publisher: new JetStreamPublisher(jetstream(nc)),
    subject: (token) => `${prefix}.${token}`,
    read: async () =>
      (await readStream(jsm, stream)).map((m) => ({ seq: m.seq, subject: m.subject, payload: decode(m.data), headers: m.headers })),
    cleanup: async () => {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
});
