import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from '../envelope/envelope.js';
import type { Transaction } from '../storage/database.js';
import type { BatchEventContext, DeliveryMetadata, EmittedEvent, EventContext } from './event-context.js';

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
  get transaction(): Transaction {
    return this.inner.transaction;
  }
  emit<Data>(event: EmittedEvent<Data>): Promise<void> {
    return this.inner.emit(event);
  }
}

/** The NestJS `@Ctx()` of a JetStream batch handler (see `HandleEventBatch`). */
export class JetStreamBatchContext extends BaseRpcContext<[BatchEventContext]> implements BatchEventContext {
  constructor(private readonly inner: BatchEventContext) {
    super([inner]);
  }
  get tx(): Transaction | undefined {
    return this.inner.tx;
  }
  get transaction(): Transaction {
    return this.inner.transaction;
  }
  get deliveries(): readonly DeliveryMetadata[] {
    return this.inner.deliveries;
  }
}
