import 'reflect-metadata';
import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AtLeastKey } from './key.validators.js';
import { ObservabilityConfig } from './observability.config.js';

/**
 * How the service handles events: retries, batches, how long the inbox and sequence rows are
 * kept, and how long it may take to drain on shutdown. Chained after ObservabilityConfig (see
 * BaseServiceConfig).
 */
export class EventsConfig extends ObservabilityConfig {
  /** First retry delay of a failed event handler, milliseconds (doubling with jitter per attempt). */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  EVENT_RETRY_INITIAL_MS: number = 1_000;

  /** Cap of the retry delay of a failed event handler, milliseconds. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  EVENT_RETRY_MAX_MS: number = 60_000;

  /**
   * Messages of one consumer handled together in one database transaction at most (a batch takes
   * what is ready, so a lone message is never delayed). At most 64.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_BATCH_SIZE: number = 50;

  /**
   * Batch transactions that may run at once across the service's consumers. 1 keeps handlers
   * that lock rows of several aggregates free of deadlocks between consumers.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_TRANSACTION_CONCURRENCY: number = 1;

  /**
   * Inbox rows (`events_inbox`: the event ids each consumer applied) older than this are deleted,
   * milliseconds. Default 8 days: longer than the streams' max age (7 days) and the outbox
   * retention, so no redelivery or re-published event finds its inbox record gone.
   */
  @Expose()
  @IsInt()
  @Min(1)
  EVENTS_INBOX_RETENTION_MS: number = 8 * 86_400_000;

  /**
   * Per-aggregate sequence rows (`events_consumer_sequences`) not written for this long are
   * deleted, milliseconds; at least EVENTS_INBOX_RETENTION_MS. Default 35 days: longer than the
   * DLQ's max age (30 days), so a redrive is judged against its aggregate's row, and than the
   * streams' (7 days). The next event of a pruned aggregate is applied on its final deferral
   * (counted in `events_sequence_row_missing_total`).
   */
  @Expose()
  @IsInt()
  @Min(1)
  @AtLeastKey('EVENTS_INBOX_RETENTION_MS')
  EVENTS_SEQUENCE_RETENTION_MS: number = 35 * 86_400_000;

  /** After SIGTERM/SIGINT, exit forcibly when draining takes longer than this, milliseconds. */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS: number = 25_000;
}
