import type { EventEnvelope } from '../envelope/envelope.js';
import type { OutboxEventInput } from '../outbox/outbox.js';
import type { Transaction } from '../storage/database.js';

/** Where a message came from, for logs and decisions. */
export interface DeliveryMetadata {
  readonly consumer: string;
  readonly stream: string;
  readonly subject: string;
  readonly streamSequence: number;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** True when an operator redrove this message from the DLQ to this consumer. */
  readonly redriven: boolean;
}

/** An event to emit from a handler; correlation, causation and trace come from the handled event. */
export type EmittedEvent<Data = unknown> = Omit<OutboxEventInput<Data>, 'correlationId' | 'causationId' | 'traceparent' | 'tenantId'> & {
  /** Defaults to the handled event's tenant. */
  readonly tenantId?: string;
};

/**
 * Records an event in the outbox of the handled message's transaction (`ctx.emit`, passed on to
 * domain services that should not depend on the whole context).
 */
export type EmitEvent = (event: EmittedEvent) => Promise<unknown>;

/** What a handler receives beside the event. */
export interface EventContext {
  readonly event: EventEnvelope;
  readonly delivery: DeliveryMetadata;
  /**
   * The transaction the handler's effects must use: it also records the event in the inbox,
   * and it commits before the message is acknowledged. Absent when the consumer runs without a
   * database (then delivery is at-least-once without de-duplication).
   */
  readonly tx: Transaction | undefined;
  /**
   * `tx` of a consumer that has a database (every service's): what handlers use. Throws a
   * PermanentError naming the consumer when it runs without one.
   */
  readonly transaction: Transaction;
  /** Record an event in the outbox inside `tx`; published after commit. */
  emit<Data>(event: EmittedEvent<Data>): Promise<void>;
}


/**
 * What a batch handler receives beside the events (see `HandleEventBatch`): the batch's
 * transaction, which also holds the events' inbox records and commits before they are
 * acknowledged, and where each event came from (same order as the events).
 */
export interface BatchEventContext {
  readonly tx: Transaction | undefined;
  /** `tx` of a consumer that has a database; throws a PermanentError when it runs without one. */
  readonly transaction: Transaction;
  readonly deliveries: readonly DeliveryMetadata[];
}
