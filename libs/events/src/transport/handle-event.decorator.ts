import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { EventContract } from '../contracts/define-event.js';
import { parseEventType } from '../subjects/subjects.js';
import { EventErrorPassthroughFilter } from './event-error-passthrough.filter.js';
import { JETSTREAM_TRANSPORT } from './server-jetstream.js';

/**
 * Bind a controller method to versioned event types on the JetStream transport:
 * `@HandleEvent(orderCreatedV1) onCreated(@Payload() event: EventEnvelope<OrderCreatedV1>, @Ctx() ctx: JetStreamContext)`.
 * The handler receives the whole envelope (upcast to this version when an older one arrives)
 * and runs inside the message's transaction (`ctx.tx`). Several contracts bind one method to
 * each of them (a projection that treats every event alike).
 */
export function HandleEvent(...contracts: ReadonlyArray<EventContract | string>): MethodDecorator {
  if (contracts.length === 0) throw new TypeError('HandleEvent needs at least one event contract');
  const types = contracts.map((contract) => (typeof contract === 'string' ? contract : contract.type));
  for (const type of types) parseEventType(type);
  // The passthrough filter is bound to the handler itself: in a hybrid app NestJS creates the
  // handlers' exception context when the microservice is connected, before a global filter can
  // be added to it, and the default RPC filter would turn every error into a retryable one.
  return applyDecorators(EventPattern<string[]>(types, JETSTREAM_TRANSPORT), UseFilters(new EventErrorPassthroughFilter()));
}
