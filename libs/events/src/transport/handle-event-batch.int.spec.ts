import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleOrderConfirmedV1 as orderConfirmedV1 } from '../testing/sample-contracts.js';
import { DeadLetterQueue } from '../dlq/dead-letter-queue.js';
import { EventRegistry } from '../contracts/registry.js';
import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { PermanentError } from '../errors.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { Database } from '../storage/database.js';
import { createTestPgliteDatabase } from '../testing/databases.js';
import { addOrderTestStreams, migrateEventsSchema } from '../testing/event-fixtures.js';
import { startTestNatsServer, type TestNatsServer } from '../testing/nats-server.js';
import { HandleEventBatch } from './handle-event-batch.decorator.js';
import { JetStreamBatchContext } from './jetstream.context.js';
import { ServerJetStream } from './server-jetstream.js';

const TENANT = 'acme';
const calls: string[][] = [];
/**
 * A batch takes what is ready: the first one may start with the first message alone. It then
 * waits until the consumer has delivered all four, so that the rest are ready together for the
 * next batch (one batch transaction at a time per service), whatever the delivery timing.
 */
let allDelivered: () => Promise<void> = async () => undefined;
/** Order ids (UUIDs, as the contract wants) named for the test; they sort in this order. */
const ORDER = {
  one: '01900000-0000-7000-8000-000000000001',
  two: '01900000-0000-7000-8000-000000000002',
  three: '01900000-0000-7000-8000-000000000003',
  poison: '01900000-0000-7000-8000-00000000000f',
} as const;

@Controller()
class RevenueProjection {
  @HandleEventBatch(orderConfirmedV1)
  async onConfirmed(@Payload() events: EventEnvelope<{ orderId: string; totalCents: number }>[], @Ctx() ctx: JetStreamBatchContext): Promise<void> {
    calls.push(events.map((e) => e.subject));
    if (calls.length === 1 && events.length < 4) await allDelivered();
    if (events.some((e) => e.subject === ORDER.poison)) throw new PermanentError('cannot project this order');
    await ctx.transaction.query('INSERT INTO revenue (order_id, cents) SELECT * FROM unnest($1::text[], $2::bigint[])', [
      events.map((e) => e.data.orderId),
      events.map((e) => e.data.totalCents),
    ]);
    expect(ctx.deliveries.map((d) => d.consumer)).toEqual(events.map(() => 'analytics-orders'));
  }
}

@Module({ controllers: [RevenueProjection] })
class ProjectionModule {}

describe('HandleEventBatch through NestJS (ServerJetStream)', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: Database;
  let cleanup: () => Promise<void>;
  let app: INestMicroservice | undefined;

  beforeAll(async () => {
    server = await startTestNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    ({ db, cleanup } = await createTestPgliteDatabase());
    await migrateEventsSchema(db);
    await db.query('CREATE TABLE revenue (order_id text PRIMARY KEY, cents bigint NOT NULL)');
    await addOrderTestStreams(jsm);
    await jsm.consumers.add('ORDERS', { durable_name: 'analytics-orders', ack_policy: AckPolicy.Explicit, filter_subject: 'orders.*.*', max_deliver: 5 });
  });

  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await server?.dispose();
    await cleanup?.();
  });

  const confirmed = (orderId: string, totalCents: number) =>
    createEnvelope({ type: orderConfirmedV1.type, source: 'order', subject: orderId, tenantId: TENANT, sequence: 1, data: { orderId, customerId: 'c-1', totalCents, currency: 'EUR' } });

  it('hands the handler the ready events as one array in one transaction, and the failing one alone after a throw', async () => {
    const events = [confirmed(ORDER.one, 100), confirmed(ORDER.two, 200), confirmed(ORDER.poison, 300), confirmed(ORDER.three, 400)];
    const js = jetstream(nc);
    for (const event of events) await js.publish(`orders.${TENANT}.confirmed`, JSON.stringify(event), { msgID: event.id });
    allDelivered = () => vi.waitFor(async () => expect((await jsm.consumers.info('ORDERS', 'analytics-orders')).num_ack_pending).toBe(4), { timeout: 10_000, interval: 20 });
    const registry = new EventRegistry().register(orderConfirmedV1);
    app = await NestFactory.createMicroservice(ProjectionModule, {
      strategy: new ServerJetStream({ connection: nc, consumers: [{ stream: 'ORDERS', durable: 'analytics-orders', maxDeliver: 5 }], registry, db }),
      logger: false,
    });
    await app.listen();
    await vi.waitFor(async () => expect((await db.query('SELECT order_id FROM revenue ORDER BY order_id')).rows).toEqual([{ order_id: ORDER.one }, { order_id: ORDER.two }, { order_id: ORDER.three }]), {
      timeout: 10_000,
    });
    // one call with the ready batch, then each of its events alone after the throw; the first
    // message may have been alone in a batch of its own, which applied
    const singles = (ids: string[]) => ids.map((id) => [id]);
    expect([
      [[ORDER.one, ORDER.two, ORDER.three, ORDER.poison], ...singles([ORDER.one, ORDER.two, ORDER.three, ORDER.poison])],
      [[ORDER.one], [ORDER.two, ORDER.three, ORDER.poison], ...singles([ORDER.two, ORDER.three, ORDER.poison])],
    ]).toContainEqual(calls);
    const dlq = new DeadLetterQueue({ js, jsm, publisher: new JetStreamPublisher(js) });
    await vi.waitFor(async () => expect((await dlq.list()).map((d) => [d.reason, JSON.parse(new TextDecoder().decode(d.data)).subject])).toEqual([['permanent_error', ORDER.poison]]), {
      timeout: 10_000,
    });
  });
});
