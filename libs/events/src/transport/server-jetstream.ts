import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { DeadLetterPublisher, DeadLetterReason } from '../dlq/dead-letter.js';
import { MaxDeliveriesAdvisoryListener } from '../dlq/max-deliveries.advisory.js';
import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Outbox } from '../outbox/outbox.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import type { Database } from '../storage/database.js';
import type { BackoffOptions } from '../util/backoff.js';
import { silentLogger, type EventsLogger } from '../util/logger.js';
import { Semaphore } from './batch-scheduler.js';
import { ConsumerRunner } from './consumer-runner.js';
import { BATCH_HANDLER_EXTRA } from './constants.js';
import { OrderingMode } from './inbox.js';
import { JetStreamBatchContext, JetStreamContext } from './jetstream.context.js';
import { MessageProcessor, type BatchEventHandler, type ConsumerEventRegistry, type EventHandler } from './message-processor.js';

/** One durable pull consumer this service reads, as declared in the topology. */
export interface ConsumerBinding {
  readonly stream: string;
  readonly durable: string;
  /** JetStream `max_deliver`; the handler runs at most `maxDeliver - 1` times (see MessageProcessor). */
  readonly maxDeliver: number;
  /** The consumer's filter; decides the default ordering mode (see {@link orderingForFilter}). */
  readonly filterSubject?: string;
  /**
   * JetStream `ack_wait`, milliseconds. An early event is held back for half of it times the
   * delivery count, so the hold-back outlasts one ack wait: a predecessor delivered to a process
   * that died comes back only after it.
   */
  readonly ackWaitMs?: number;
  /** Default: {@link orderingForFilter} of `filterSubject` (strict when unknown), `none` without a database. */
  readonly ordering?: OrderingMode;
  readonly concurrency?: number;
  readonly batchSize?: number;
}

export interface JetStreamServerOptions {
  /** The service's NATS connection; the server does not close it. */
  readonly connection: NatsConnection;
  readonly consumers: readonly ConsumerBinding[];
  readonly registry: ConsumerEventRegistry;
  readonly db?: Database;
  readonly outbox?: Outbox;
  readonly retryBackoff?: BackoffOptions;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
  /**
   * Batches each consumer handles at once when the binding does not say. Default 32 without a
   * database; with one, 2 (the service-wide `transactionConcurrency` bounds them further).
   */
  readonly concurrency?: number;
  /**
   * Messages per batch (one database transaction) at most, when the binding does not say.
   * Default 50 with a database (at most 64, so that a batch's savepoints stay within PostgreSQL's
   * per-transaction subtransaction cache), 1 without.
   */
  readonly batchSize?: number;
  /**
   * Batch transactions that may run at once across all consumers of this server. Default 1: the
   * consumers' batches then never hold row locks at the same time, so handlers that lock rows
   * of several aggregates (stock, a customer's points, an order touched by two streams) cannot
   * deadlock with each other, while batching carries the throughput. Raise it for handlers that
   * wait on I/O, when every handler locks rows in one global order.
   */
  readonly transactionConcurrency?: number;
  /** Listen for max-deliveries advisories (needs stream message-get rights). Default true. */
  readonly advisories?: boolean;
}

export const JETSTREAM_TRANSPORT = Symbol('jetstream');

/**
 * A consumer whose filter ends in a wildcard (`orders.*.*`, `orders.>`) sees every event of the
 * producer's aggregates, so it can hold back early ones (`strict`); one filtered to a single
 * event (`orders.*.confirmed`) sees gaps by design and only drops stale ones (`drop-stale`).
 */
export function orderingForFilter(filterSubject: string | undefined): OrderingMode {
  if (filterSubject === undefined) return OrderingMode.Strict;
  const last = filterSubject.split('.').pop();
  return last === '*' || last === '>' ? OrderingMode.Strict : OrderingMode.DropStale;
}

/**
 * A NestJS `CustomTransportStrategy` that binds `@EventPattern('<versioned type>')` handlers to
 * durable JetStream pull consumers. Each message runs in one database transaction with its inbox
 * record and the handler's outbox writes, and is acknowledged only after commit; failures are
 * retried with backoff or dead-lettered (see MessageProcessor). Handler errors reach the
 * transport intact when the microservice uses {@link EventErrorPassthroughFilter}
 * (`connectJetStream` sets it up); otherwise every handler error counts as retryable.
 */
export class ServerJetStream extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  override readonly propagatesEventHandlerErrors = true;
  private readonly runners: ConsumerRunner[] = [];
  private advisories?: MaxDeliveriesAdvisoryListener;
  private readonly log: EventsLogger;
  private js?: JetStreamClient;
  private draining = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.log = options.logger ?? silentLogger;
  }

  /** True when every consumer is pulling, none waits for the database, and the server is not draining. */
  get isReady(): boolean {
    return (
      !this.draining &&
      this.runners.length === this.options.consumers.length &&
      this.runners.every((r) => r.isConsuming && !r.isWaitingForDatabase)
    );
  }

  get consumerRunners(): readonly ConsumerRunner[] {
    return this.runners;
  }

  /**
   * Pause every consumer of this server (see `ConsumerRunner.pause`): a circuit breaker calls it
   * while a dependency every handler needs is down. Readiness is unaffected.
   */
  pauseConsumers(): void {
    for (const runner of this.runners) runner.pause();
  }

  /** Undo {@link pauseConsumers}. */
  resumeConsumers(): void {
    for (const runner of this.runners) runner.resume();
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    try {
      const { connection, consumers } = this.options;
      this.js = jetstream(connection);
      const deadLetters = new DeadLetterPublisher(new JetStreamPublisher(this.js));
      const { handlers, batchHandlers } = this.collectHandlers();
      const db = this.options.db;
      const lane = db ? new Semaphore(this.options.transactionConcurrency ?? 1) : undefined;
      for (const binding of consumers) {
        this.options.metrics?.initConsumer(binding.durable, Object.values(DeadLetterReason));
        const processor = new MessageProcessor({
          consumer: binding.durable,
          registry: this.options.registry,
          handlers,
          batchHandlers,
          deadLetters,
          db: this.options.db,
          outbox: this.options.outbox,
          ordering: binding.ordering ?? (this.options.db ? orderingForFilter(binding.filterSubject) : OrderingMode.None),
          maxAttempts: Math.max(1, binding.maxDeliver - 1),
          ...(binding.ackWaitMs ? { deferDelayMs: Math.ceil(binding.ackWaitMs / 2), ackWaitMs: binding.ackWaitMs } : {}),
          retryBackoff: this.options.retryBackoff,
          metrics: this.options.metrics,
          logger: this.log,
        });
        const runner = new ConsumerRunner({
          js: this.js,
          stream: binding.stream,
          durable: binding.durable,
          processor,
          concurrency: binding.concurrency ?? this.options.concurrency ?? (db ? 2 : 32),
          batchSize: db ? Math.min(64, binding.batchSize ?? this.options.batchSize ?? 50) : 1,
          lane,
          metrics: this.options.metrics,
          logger: this.log,
        });
        this.runners.push(runner);
        runner.start();
      }
      if (this.options.advisories !== false && consumers.length > 0) {
        this.advisories = new MaxDeliveriesAdvisoryListener({
          nc: connection,
          jsm: await jetstreamManager(connection, { checkAPI: false }),
          consumers,
          deadLetters,
          metrics: this.options.metrics,
          logger: this.log,
        });
        this.advisories.start();
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stop pulling, finish and ack in-flight messages, then return. Readiness turns false first. */
  async close(): Promise<void> {
    this.draining = true;
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.advisories?.stop();
  }

  on(): never {
    throw new Error('ServerJetStream does not emit events; use the metrics and logs');
  }

  unwrap<T>(): T {
    if (!this.js) throw new Error('ServerJetStream is not listening yet');
    return this.js as T;
  }

  private collectHandlers(): { handlers: Map<string, EventHandler>; batchHandlers: Map<string, BatchEventHandler> } {
    const handlers = new Map<string, EventHandler>();
    const batchHandlers = new Map<string, BatchEventHandler>();
    for (const [pattern, handler] of this.messageHandlers) {
      if (!handler.isEventHandler) {
        this.log.warn({ pattern }, 'JetStream transport ignores @MessagePattern handlers; use @EventPattern');
        continue;
      }
      if (handler.extras?.[BATCH_HANDLER_EXTRA]) batchHandlers.set(pattern, adaptBatch(handler));
      else handlers.set(pattern, adapt(handler));
    }
    return { handlers, batchHandlers };
  }
}

function adaptBatch(handler: MessageHandler): BatchEventHandler {
  return async (events, context) => {
    const result: unknown = await handler(events, new JetStreamBatchContext(context));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  };
}

function adapt(handler: MessageHandler): EventHandler {
  return async (event, context) => {
    const result: unknown = await handler(event, new JetStreamContext(context));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  };
}
