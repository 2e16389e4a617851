import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeadLetterQueue } from '../dlq/dead-letter-queue.js';
import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { PermanentError } from '../errors.js';
import { Outbox } from '../outbox/outbox.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { Database } from '../storage/database.js';
import { createTestPgliteDatabase } from '../testing/databases.js';
import { addOrderTestStreams, migrateEventsSchema, permissiveRegistry } from '../testing/event-fixtures.js';
import { startTestNatsServer, type TestNatsServer } from '../testing/nats-server.js';
import { EventErrorPassthroughFilter } from './event-error-passthrough.filter.js';
import { HandleEvent } from './handle-event.decorator.js';
import { JetStreamContext } from './jetstream.context.js';
import { ServerJetStream } from './server-jetstream.js';

const TENANT = 'acme';
const ORDER_ID = '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a';
const handled: string[] = [];

@Controller()
class PaymentEventsController {
  @HandleEvent('order.created.v1')
  async onOrderCreated(@Payload() event: EventEnvelope<{ orderId: string; totalCents: number }>, @Ctx() ctx: JetStreamContext): Promise<void> {
    handled.push(event.id);
    const paymentId = randomUUID();
    await ctx.emit({
      type: 'payment.authorized.v1',
      aggregateId: paymentId,
      data: { paymentId, orderId: event.data.orderId, amountCents: event.data.totalCents, currency: 'EUR' },
    });
  }

  @HandleEvent('order.cancelled.v1')
  async onOrderCancelled(): Promise<void> {
    throw new PermanentError('cancellation of an unknown order');
  }
}

@Module({ controllers: [PaymentEventsController] })
class PaymentModule {}

describe('ServerJetStream (NestJS CustomTransportStrategy)', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: Database;
  let cleanup: () => Promise<void>;
  let app: INestMicroservice;
  let transport: ServerJetStream;
  // Delivery, not contracts, is under test: every payload is accepted.
  const registry = permissiveRegistry;

  beforeAll(async () => {
    server = await startTestNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    ({ db, cleanup } = await createTestPgliteDatabase());
    await migrateEventsSchema(db);
    await addOrderTestStreams(jsm);
    await jsm.consumers.add('ORDERS', { durable_name: 'payment-orders', ack_policy: AckPolicy.Explicit, filter_subject: 'orders.*.*', max_deliver: 5 });
    transport = new ServerJetStream({
      connection: nc,
      consumers: [{ stream: 'ORDERS', durable: 'payment-orders', maxDeliver: 5 }],
      registry,
      db,
      outbox: new Outbox({ source: 'payment', validator: registry }),
    });
    app = await NestFactory.createMicroservice(PaymentModule, { strategy: transport, logger: false });
    app.useGlobalFilters(new EventErrorPassthroughFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await server?.dispose();
    await cleanup?.();
  });

  const publish = async (type: string, data: object) => {
    const event = createEnvelope({ type, source: 'order', subject: ORDER_ID, tenantId: TENANT, sequence: handled.length + 1, data });
    await jetstream(nc).publish(`orders.${TENANT}.${type.split('.')[1]}`, JSON.stringify(event), { msgID: event.id });
    return event;
  };

  it('becomes ready once its consumers pull', async () => {
    await vi.waitFor(() => expect(transport.isReady).toBe(true), { timeout: 10_000 });
  });

  it('runs an @EventPattern handler and records what it emits in the outbox, in the same transaction', async () => {
    const event = await publish('order.created.v1', {
      orderId: ORDER_ID,
      customerId: 'c-1',
      items: [{ sku: 'SKU-001', quantity: 2, unitPriceCents: 1250 }],
      totalCents: 2500,
      currency: 'EUR',
      paymentToken: 'tok_visa',
    });
    await vi.waitFor(async () => expect((await db.query('SELECT 1 FROM events_inbox WHERE event_id = $1', [event.id])).rowCount).toBe(1), {
      timeout: 10_000,
    });
    expect(handled).toEqual([event.id]);
    const { rows } = await db.query<{ type: string; payload: string }>('SELECT type, payload FROM events_outbox');
    expect(rows.map((r) => r.type)).toEqual(['payment.authorized.v1']);
    const emitted = JSON.parse(rows[0]!.payload) as EventEnvelope;
    expect(emitted).toMatchObject({ source: 'payment', tenantid: TENANT, causationid: event.id, correlationid: event.correlationid, sequence: 1 });
  });

  it('hands a PermanentError from a handler to the DLQ at once (the error class survives NestJS filters)', async () => {
    await publish('order.cancelled.v1', { orderId: ORDER_ID, customerId: 'c-1', reason: 'timeout', totalCents: 2500, currency: 'EUR' });
    const dlq = new DeadLetterQueue({ js: jetstream(nc), jsm, publisher: new JetStreamPublisher(jetstream(nc)) });
    await vi.waitFor(async () => expect((await dlq.list()).map((d) => [d.reason, d.deliveryCount])).toEqual([['permanent_error', 1]]), {
      timeout: 10_000,
    });
    expect((await dlq.list())[0]!.error).toContain('cancellation of an unknown order');
  });

  it('turns readiness false when it closes', async () => {
    await transport.close();
    expect(transport.isReady).toBe(false);
  });
});
