import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { EventContract } from '../contracts/define-event.js';
import { parseEventType } from '../subjects/subjects.js';
import { EventErrorPassthroughFilter } from './event-error-passthrough.filter.js';
import { BATCH_HANDLER_EXTRA } from './constants.js';
import { JETSTREAM_TRANSPORT } from './server-jetstream.js';

/**
 * Bind a controller method to versioned event types as a batch handler: it receives every event
 * of these types that a batch holds, in order, as one array, and applies them in the batch's
 * transaction (`ctx.tx`) — a projection's multi-row statements instead of a statement per event:
 * `@HandleEventBatch(orderCreatedV2, …) onEvents(@Payload() events: EventEnvelope[], @Ctx() ctx: JetStreamBatchContext)`.
 * Duplicates, stale and early events never reach it. It applies all of them or throws; after a
 * throw each event is handled again alone (a one-element array), so that a failure is retried or
 * dead-lettered as that event's. A batch handler does not emit events.
 */
export function HandleEventBatch(...contracts: ReadonlyArray<EventContract | string>): MethodDecorator {
  if (contracts.length === 0) throw new TypeError('HandleEventBatch needs at least one event contract');
  const types = contracts.map((contract) => (typeof contract === 'string' ? contract : contract.type));
  for (const type of types) parseEventType(type);
  return applyDecorators(EventPattern<string[]>(types, JETSTREAM_TRANSPORT, { [BATCH_HANDLER_EXTRA]: true }), UseFilters(new EventErrorPassthroughFilter()));
}
