import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from '../envelope/envelope.js';
import type { Transaction } from '../storage/database.js';
import type { DeliveryMetadata, EmittedEvent, EventContext } from './event-context.js';

/** The NestJS `@Ctx()` of a JetStream event handler. */
export class JetStreamContext extends BaseRpcContext<[EventContext]> implements EventContext {
  constructor(private readonly inner: EventContext) {
    super([inner]);
  }
  get event(): EventEnvelope {
    return this.inner.event;
  }
  get delivery(): DeliveryMetadata {
    return this.inner.delivery;
  }
  get tx(): Transaction | undefined {
    return this.inner.tx;
  }
  emit<Data>(event: EmittedEvent<Data>): Promise<EventEnvelope<Data>> {
    return this.inner.emit(event);
  }
}
