import { REDRIVE_CONSUMER_HEADER, REDRIVEN_FROM_HEADER } from '../dlq/dead-letter.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { PermanentError } from '../errors.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Transaction } from '../storage/database.js';
import { activeTraceparent } from '../tracing/trace-context.js';
import type { BatchEventContext, DeliveryMetadata, EmittedEvent, EventContext } from './event-context.js';
import type { InboundMessage } from './message-processor.js';

/** Where a message came from; its headers are decoded only if a handler asks whether it was redriven. */
export class MessageDelivery implements DeliveryMetadata {
  readonly stream: string;
  readonly subject: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  private redrivenFlag?: boolean;

  constructor(
    readonly consumer: string,
    private readonly message: InboundMessage,
  ) {
    const info = message.info;
    this.stream = info.stream;
    this.subject = message.subject;
    this.streamSequence = info.streamSequence;
    this.deliveryCount = info.deliveryCount;
  }

  /**
   * Redriven from the DLQ to this consumer: `Redriven-From` is set and `Redrive-Consumer` names
   * this durable (or is absent: a redrive made before the header existed goes to every consumer).
   */
  get redriven(): boolean {
    if (this.redrivenFlag === undefined) {
      const headers = this.message.headers;
      const target = headers?.get(REDRIVE_CONSUMER_HEADER);
      this.redrivenFlag = Boolean(headers?.get(REDRIVEN_FROM_HEADER)) && (!target || target === this.consumer);
    }
    return this.redrivenFlag;
  }
}

/**
 * A handler's context: the event, where it came from, the transaction, and `emit` into the
 * outbox of that transaction with the event's correlation, causation and trace.
 */
export class MessageContext implements EventContext {
  constructor(
    readonly event: EventEnvelope,
    readonly delivery: DeliveryMetadata,
    readonly tx: Transaction | undefined,
    private readonly outbox: Outbox | undefined,
  ) {}

  get transaction(): Transaction {
    return requireTransaction(this.tx, this.delivery.consumer);
  }

  async emit<Data>(emitted: EmittedEvent<Data>): Promise<void> {
    const { tx, outbox, event } = this;
    if (!tx || !outbox) throw new PermanentError(`consumer ${this.delivery.consumer} has no database/outbox to emit ${emitted.type}`);
    return outbox.append(tx, {
      ...emitted,
      tenantId: emitted.tenantId ?? event.tenantid,
      correlationId: event.correlationid,
      causationId: event.id,
      traceparent: activeTraceparent() ?? event.traceparent,
    });
  }
}

/** A batch handler's context: the batch's transaction and where each event came from. */
export class BatchMessageContext implements BatchEventContext {
  constructor(
    readonly tx: Transaction | undefined,
    readonly deliveries: readonly DeliveryMetadata[],
  ) {}

  get transaction(): Transaction {
    return requireTransaction(this.tx, this.deliveries[0]?.consumer ?? 'unknown');
  }
}

function requireTransaction(tx: Transaction | undefined, consumer: string): Transaction {
  if (!tx) throw new PermanentError(`consumer ${consumer} has no database: its handlers get no transaction`);
  return tx;
}
