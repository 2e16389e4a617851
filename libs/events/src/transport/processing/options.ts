import type { DeadLetterPublisher } from '../../dlq/dead-letter.js';
import type { EventsMetrics } from '../../metrics/events.metrics.js';
import type { Outbox } from '../../outbox/outbox.js';
import type { Database } from '../../storage/database.js';
import type { BackoffOptions } from '../../util/backoff.js';
import type { EventsLogger } from '../../util/logger.js';
import type { OrderingMode } from '../inbox.js';
import type { BatchEventHandler, ConsumerEventRegistry, EventHandler } from './types.js';

/** The options of a MessageProcessor (message-processor.ts, which resolves the defaults and gives each stage its part). */
export interface MessageProcessorOptions {
  /** The durable consumer's name: the inbox and metrics key. */
  readonly consumer: string;
  readonly registry: ConsumerEventRegistry;
  /** Handlers by versioned type. A message of an older version is upcast to the handler's version. */
  readonly handlers: ReadonlyMap<string, EventHandler>;
  /** Batch handlers by versioned type (a type has a handler or a batch handler, not both). */
  readonly batchHandlers?: ReadonlyMap<string, BatchEventHandler>;
  readonly deadLetters: DeadLetterPublisher;
  /** Storage for the inbox, the sequence guard and the handler's transaction. */
  readonly db?: Database;
  /** The service's outbox, for events emitted by handlers (requires `db`). */
  readonly outbox?: Outbox;
  /** Default: `strict` with a database, `none` without. */
  readonly ordering?: OrderingMode;
  /**
   * How many times the handler may run for one message. JetStream's `max_deliver` should be one
   * more: a message delivered beyond this count crashed the process on its last attempt and is
   * dead-lettered without running the handler again. Default 4.
   */
  readonly maxAttempts?: number;
  /** Delay before a retry (nak delay). Default 1 s doubling to 60 s, with jitter. */
  readonly retryBackoff?: BackoffOptions;
  /**
   * The scale of an early event's hold-backs (predecessor missing): short ones first, then 3 ×
   * this before the final attempt (see deferralDelay, retry.ts). That last one should outlast the
   * consumer's ack wait, since a predecessor delivered to a process that died comes back only
   * after it (ServerJetStream uses ack wait / 2). Default 200 ms.
   */
  readonly deferDelayMs?: number;
  /**
   * The consumer's ack wait, milliseconds: while the database is unavailable the messages of a
   * batch are kept (not redelivered, attempts not spent) with a progress signal every third of it.
   * Default 30 000.
   */
  readonly ackWaitMs?: number;
  /** Backoff between attempts at a batch while the database is unavailable. Default 200 ms doubling to 5 s. */
  readonly unavailableBackoff?: BackoffOptions;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
}
