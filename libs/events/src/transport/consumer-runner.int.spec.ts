import { AckPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestNatsServer, type TestNatsServer } from '../testing/nats-server.js';
import { closeDraining } from './close-draining.js';

// A consumer stopped while the server is sending: what was on its way when the client let go.
const STREAM = 'STOPS';
const COUNT = 100;
const ACK_WAIT_NS = 60_000 * 1_000_000;

let server: TestNatsServer;
let consumerConnection: NatsConnection;
let publisherConnection: NatsConnection;
let jsm: JetStreamManager;
let durable = '';
let serial = 0;

beforeAll(async () => {
  server = await startTestNatsServer();
  consumerConnection = await connect({ servers: server.url });
  publisherConnection = await connect({ servers: server.url });
  jsm = await jetstreamManager(publisherConnection);
  await jsm.streams.add({ name: STREAM, subjects: ['stops.>'] });
});

afterAll(async () => {
  await consumerConnection?.close();
  await publisherConnection?.close();
  await server?.dispose();
});

beforeEach(async () => {
  durable = `stop-${++serial}`;
  await jsm.consumers.add(STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: ACK_WAIT_NS, filter_subject: `stops.${durable}` });
});

/**
 * A pull open on the server, then COUNT messages published and the event loop blocked while the
 * server delivers them (they wait in the socket), then `close` called before the client reads them;
 * every message the iterator still yields is handed back (nak). Returns how many stay unacknowledged
 * without being deliverable again: the ones that would wait for the 60 s ack wait.
 */
async function strandedAfter(close: (messages: ConsumerMessages) => Promise<unknown>): Promise<number> {
  const consumer = await jetstream(consumerConnection).consumers.get(STREAM, durable);
  const messages = await consumer.consume({ max_messages: 2 * COUNT });
  // The pull request reaches the server once the iterator runs its first step.
  const handedBack = (async () => {
    for await (const message of messages) message.nak();
  })();
  await consumerConnection.flush();
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < COUNT; i++) publisherConnection.publish(`stops.${durable}`, `m${i}`);
  await publisherConnection.flush();
  const until = Date.now() + 300;
  while (Date.now() < until) {
    // busy: the deliveries pile up unread in the consumer connection's socket
  }
  const closed = close(messages);
  await closed;
  await handedBack;
  await consumerConnection.flush();

  const info = await jsm.consumers.info(STREAM, durable);
  expect(info.delivered.stream_seq).toBeGreaterThan(0);
  const check = await jetstream(publisherConnection).consumers.get(STREAM, durable);
  let deliverable = 0;
  for await (const message of await check.fetch({ max_messages: COUNT, expires: 1500 })) {
    deliverable++;
    message.ack();
  }
  await publisherConnection.flush();
  return COUNT - deliverable;
}

describe('stopping a consume() while messages are on their way', () => {
  it('closeDraining (ConsumerRunner.stop) hands back every message the server sent: none waits for the ack wait', async () => {
    expect(await strandedAfter(closeDraining)).toBe(0);
  });

  it('a plain close() drops what is still in the socket (the messages then wait for the ack wait)', async () => {
    expect(await strandedAfter((messages) => messages.close())).toBeGreaterThan(0);
  });
});
