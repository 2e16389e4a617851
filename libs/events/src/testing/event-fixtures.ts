import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { InvalidEventError } from '../errors.js';
import type { ConsumerEventRegistry } from '../transport/message-processor.js';
import type { EventValidator } from '../outbox/outbox.js';
import { EVENTS_SCHEMA_COMPONENT, eventsMigrations } from '../schema/events.schema.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { eventSubject, parseEventType } from '../subjects/subjects.js';

/** A validator that accepts any payload, for tests about delivery rather than contracts. */
export const acceptAnyEvent: EventValidator = { validate: (_type, data) => data, subjectOf: testSubjectOf };

/**
 * The subject of a test event: `<producer>s.<tenant>.<event>` (`order.created.v1` → `orders.acme.created`),
 * the grammar the test streams (`orders.>`) expect.
 */
export function testSubjectOf(type: string, tenant: string): string {
  const { producer, name } = parseEventType(type);
  return eventSubject(`${producer}s`, name, tenant);
}

/** Apply the library's tables (outbox, inbox, sequences) to `db`. */
export async function migrateEventsSchema(db: Database): Promise<void> {
  await migrate(db, EVENTS_SCHEMA_COMPONENT, eventsMigrations);
}

/**
 * A registry that knows `order.created.v1` and `order.confirmed.v1` and wants `{ n: number }`
 * payloads (anything else is an invalid payload), for transport tests.
 */
export const numberedOrderRegistry: ConsumerEventRegistry = {
  has: (type) => type === 'order.created.v1' || type === 'order.confirmed.v1',
  validate: (type, data) => {
    if (typeof (data as { n?: unknown })?.n !== 'number') throw new InvalidEventError(type, [{ property: 'n', messages: ['n must be a number'] }]);
    return data;
  },
  upcast: (envelope) => envelope,
  subjectOf: testSubjectOf,
};

/** A registry that knows every type and accepts every payload, for delivery tests. */
export const permissiveRegistry: ConsumerEventRegistry = {
  has: () => true,
  validate: (_type, data) => data,
  upcast: (envelope) => envelope,
  subjectOf: testSubjectOf,
};

/** The stream of order events the consumer specs run against (`orders.>`), beside the `DLQ` (`dlq.>`). */
export const ORDERS_TEST_STREAM = 'ORDERS';
/** The tenant of {@link numberedOrderEvent}'s events unless one is given. */
export const TEST_TENANT = 'acme';

const encoder = new TextEncoder();

/** Create the ORDERS (`orders.>`) and DLQ (`dlq.>`) streams. */
export async function addOrderTestStreams(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.add({ name: ORDERS_TEST_STREAM, subjects: ['orders.>'] });
  await jsm.streams.add({ name: 'DLQ', subjects: ['dlq.>'] });
}

/** Delete the streams of {@link addOrderTestStreams} (a missing one is fine). */
export async function removeOrderTestStreams(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.delete(ORDERS_TEST_STREAM).catch(() => undefined);
  await jsm.streams.delete('DLQ').catch(() => undefined);
}

/** An order event of aggregate `aggregateId` at `sequence`, with `{ n: sequence }` by default (what {@link numberedOrderRegistry} wants). */
export function numberedOrderEvent(aggregateId: string, sequence: number, data: unknown = { n: sequence }, type = 'order.created.v1'): EventEnvelope {
  return createEnvelope({ source: 'order', type, subject: aggregateId, tenantId: TEST_TENANT, sequence, data: data as object });
}

/** Publish `event` on its subject (`orders.<tenant>.<event name>`), de-duplicated by `msgId`. */
export function publishOrderEvent(js: JetStreamClient, event: EventEnvelope, msgId = event.id): Promise<PubAck> {
  return js.publish(`orders.${event.tenantid}.${event.type.split('.')[1]}`, encoder.encode(JSON.stringify(event)), { msgID: msgId });
}
