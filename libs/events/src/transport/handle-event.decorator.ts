import { EventPattern } from '@nestjs/microservices';
import type { EventContract } from '../contracts/define-event.js';
import { parseEventType } from '../subjects/subjects.js';
import { JETSTREAM_TRANSPORT } from './server-jetstream.js';

/**
 * Bind a controller method to a versioned event type on the JetStream transport:
 * `@HandleEvent(orderCreatedV1) onCreated(@Payload() event: EventEnvelope<OrderCreatedV1>, @Ctx() ctx: JetStreamContext)`.
 * The handler receives the whole envelope (upcast to this version when an older one arrives)
 * and runs inside the message's transaction (`ctx.tx`).
 */
export function HandleEvent(contract: EventContract | string): MethodDecorator {
  const type = typeof contract === 'string' ? contract : contract.type;
  parseEventType(type);
  return EventPattern<string>(type, JETSTREAM_TRANSPORT);
}
