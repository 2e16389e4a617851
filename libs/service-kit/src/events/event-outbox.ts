import { Inject, Injectable } from '@nestjs/common';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { EmitEvent, EventRegistry, EventsRuntime, Transaction } from '@platform/events';
import type { RequestEventContext } from '../http/request-event-context.js';
import { EVENTS_RUNTIME } from '../tokens.js';

/** Where an emitted event belongs when no handled event gives it: the tenant, and the HTTP request's chain. */
export interface EmitContext extends Partial<RequestEventContext> {
  readonly tenantId: string;
}

/**
 * The one way application code emits events: an `EmitEvent` bound to a transaction, so that the
 * events commit with the state change (the transactional outbox). An event handler has one
 * already (`ctx.emit`, which continues the handled event's chain); an HTTP command or a sweeper
 * gets one here for its own transaction.
 */
@Injectable()
export class EventOutbox {
  constructor(@Inject(EVENTS_RUNTIME) private readonly runtime: EventsRuntime) {}

  /** Emit into `tx`, with the tenant and request chain of `context` unless an event names its own tenant. */
  emitter(tx: Transaction, context: EmitContext): EmitEvent {
    const { tenantId, correlationId, traceparent } = context;
    return (event) => this.runtime.outbox.append(tx, { ...event, tenantId: event.tenantId ?? tenantId, correlationId, traceparent });
  }
}

/**
 * Pausing and resuming this service's durable consumers (a circuit breaker in front of a
 * dependency stops taking events it could only fail). No-ops when the service consumes none.
 */
@Injectable()
export class ConsumerControl {
  constructor(@Inject(EVENTS_RUNTIME) private readonly runtime: EventsRuntime) {}

  pause(): void {
    this.runtime.transport?.pauseConsumers();
  }

  resume(): void {
    this.runtime.transport?.resumeConsumers();
  }
}

/**
 * The streams as stored history, for code that re-reads them (a rebuild from the start): the
 * service's JetStream client (its own connection and identity) and the registry that decodes and
 * upcasts what it reads.
 */
@Injectable()
export class EventStreams {
  constructor(@Inject(EVENTS_RUNTIME) private readonly runtime: EventsRuntime) {}

  get js(): JetStreamClient {
    return this.runtime.js;
  }

  get registry(): EventRegistry {
    return this.runtime.registry;
  }
}
