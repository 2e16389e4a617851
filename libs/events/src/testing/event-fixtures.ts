import { InvalidEventError } from '../errors.js';
import type { ConsumerEventRegistry } from '../transport/message-processor.js';
import type { EventValidator } from '../outbox/outbox.js';
import { EVENTS_SCHEMA_COMPONENT, eventsMigrations } from '../schema/events.schema.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';

/** A validator that accepts any payload, for tests about delivery rather than contracts. */
export const acceptAnyEvent: EventValidator = { validate: (_type, data) => data };

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
};

/** A registry that knows every type and accepts every payload, for delivery tests. */
export const permissiveRegistry: ConsumerEventRegistry = {
  has: () => true,
  validate: (_type, data) => data,
  upcast: (envelope) => envelope,
};
