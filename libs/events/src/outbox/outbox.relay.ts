import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { Publisher } from '../publisher/publisher.js';
import type { Database } from '../storage/database.js';
import { backoffDelay, delay, type BackoffOptions } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import { DEFAULT_OUTBOX_CHANNEL, type Outbox } from './outbox.js';
import { OutboxDrain } from './outbox.drain.js';
import { FastPath } from './outbox.fast-path.js';
import { OutboxHousekeeping } from './outbox.housekeeping.js';
import { RelayLeadership, type LeaderTerm } from './outbox.leadership.js';
import { RowMarks } from './outbox.marks.js';
import { PublicationOrder } from './outbox.order.js';
import { publishRows, type PublishRows } from './outbox.publish.js';
import { republishRange, type RepublishRange } from './outbox.republish.js';
import { WakeSignal } from './outbox.wake.js';

export interface OutboxRelayOptions {
  readonly db: Database;
  readonly publisher: Publisher;
  /** The service's name: the advisory lock is `outbox-relay:<service>`, one active relay per service. */
  readonly service: string;
  /** The in-process outbox, to wake on its commits without a round trip. */
  readonly outbox?: Outbox;
  /** NOTIFY channel to LISTEN on (PostgreSQL). Default `events_outbox`, or the outbox's channel. */
  readonly notifyChannel?: string;
  /** Rows per batch; all rows of a batch are published pipelined. Default 1000. */
  readonly batchSize?: number;
  /** Fallback poll when no wake-up arrives, milliseconds. Default 1000. */
  readonly pollIntervalMs?: number;
  /** How often a follower retries the leader lock, milliseconds. Default 2000. */
  readonly lockRetryMs?: number;
  /** Backoff after a failed batch. Default 100 ms doubling to 30 s; the relay never gives up. */
  readonly backoff?: BackoffOptions;
  /** Published rows are deleted this long after publication, milliseconds. Default 7 days. */
  readonly retentionMs?: number;
  /** Interval of the retention purge and the backlog gauges, milliseconds. Default 5000. */
  readonly housekeepingIntervalMs?: number;
  /** Milliseconds to wait for each PubAck. Default 5000. */
  readonly publishTimeoutMs?: number;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
}

export const DEFAULT_RELAY_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 30_000 };

/**
 * Publishes committed outbox rows to JetStream, in row order, with `Nats-Msg-Id` = event id so
 * that a re-publish after a crash is de-duplicated by the stream. Exactly one relay per service
 * is active (a PostgreSQL advisory lock); the others wait as followers. It wakes on commit
 * (in-process signal and LISTEN/NOTIFY) and polls as a fallback. A failed batch is retried with
 * backoff forever: rows are never abandoned. Rows whose publish succeeded are marked even when
 * others in the batch failed; a consumer's sequence guard restores per-aggregate order if a
 * retried row lands after its successor.
 *
 * Its parts are wired here: leadership (who relays), the wake signal (when the drain runs), the
 * drain (rows read back), the fast path (rows handed over at commit), marks and housekeeping.
 * {@link PublicationOrder} is the one rule between the two paths: the fast path never overtakes
 * an older pending row.
 */
export class OutboxRelay {
  private readonly channel: string;
  private readonly backoff: BackoffOptions;
  private readonly logger: EventsLogger;
  /** Who relays. */
  private readonly leadership: RelayLeadership;
  /** When the drain runs. */
  private readonly wakeSignal: WakeSignal;
  /** When the fast path may publish: the ordering rule. */
  private readonly order = new PublicationOrder();
  private readonly fastPath: FastPath;
  private readonly drainer: OutboxDrain;
  private readonly housekeeping: OutboxHousekeeping;
  private abort = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly options: OutboxRelayOptions) {
    const { db, publisher, service, metrics } = options;
    const batchSize = options.batchSize ?? 1000;
    const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    const logger = options.logger ?? silentLogger;
    this.logger = logger;
    this.backoff = options.backoff ?? DEFAULT_RELAY_BACKOFF;
    this.channel = options.notifyChannel ?? options.outbox?.notifyChannel ?? DEFAULT_OUTBOX_CHANNEL;
    this.leadership = new RelayLeadership({ db, service, lockRetryMs: options.lockRetryMs ?? 2000, backoff: this.backoff, metrics, logger });
    this.wakeSignal = new WakeSignal(options.pollIntervalMs ?? 1000);
    // While leading, reads and marks go through the lock's own connection.
    const session = () => this.leadership.session ?? db;
    const publish: PublishRows = (rows) => publishRows(publisher, rows, publishTimeoutMs);
    const marks = new RowMarks(session, metrics);
    const order = this.order;
    this.fastPath = new FastPath({ order, publish, marks, batchSize, wake: () => this.wake(), logger });
    this.drainer = new OutboxDrain({ session, batchSize, publish, marks, order, claimed: (id) => this.fastPath.holds(id), metrics });
    this.housekeeping = new OutboxHousekeeping({
      db,
      retentionMs: options.retentionMs ?? 7 * 24 * 3600_000,
      intervalMs: options.housekeepingIntervalMs ?? 5000,
      metrics,
      logger,
    });
  }

  /** True while this process holds the relay lock. */
  get isLeader(): boolean {
    return this.leadership.isLeader;
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.leadership.run(this.abort.signal, (term) => this.lead(term));
  }

  /** Stops after the batch in flight; a later start() resumes. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
  }

  /** Ask the relay to look for pending rows now. */
  wake(): void {
    this.wakeSignal.wake();
  }

  /**
   * Publish one batch of pending rows and mark the published ones. Returns how many were
   * published; rejects (after marking the successes) when any publish failed.
   */
  drainOnce(): Promise<number> {
    return this.drainer.once();
  }

  /**
   * Publish every pending row, batch after batch, the next batch read while this one is
   * published and the marks behind the publishes. Returns how many were published; rejects
   * after the first batch with a failed publish or a failed mark.
   */
  drain(): Promise<number> {
    return this.drainer.all();
  }

  /**
   * Mark published rows of a range as pending again, so the relay publishes them once more
   * (recovery after a broker lost its data). Returns the number of rows re-queued. Consumers
   * de-duplicate by event id in their inbox.
   */
  async republish(range: RepublishRange): Promise<number> {
    const count = await republishRange(this.options.db, range, this.channel);
    this.order.doubt();
    this.wake();
    return count;
  }

  /** Delete rows published before `olderThan`. Returns the number deleted. */
  purgePublished(olderThan: Date): Promise<number> {
    return this.housekeeping.purgePublished(olderThan);
  }

  /** Rows waiting to be published and the age of the oldest, seconds. */
  backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    return this.housekeeping.backlog();
  }

  /**
   * One term as leader: the outbox's commits go to the fast path, and the drain runs whenever
   * woken, with backoff after a failure; when the term ends, the fast path's publishes and marks
   * are settled before the lock is let go.
   */
  private async lead({ signal }: LeaderTerm): Promise<void> {
    this.order.doubt(); // rows may have been committed while this process did not lead
    const { db, outbox } = this.options;
    const unsubscribe = await this.wakeSignal.subscribe({ db, channel: this.channel, outbox, onCommit: (records) => this.fastPath.handOver(records), logger: this.logger });
    let failures = 0;
    try {
      while (!signal.aborted) {
        this.wakeSignal.passStarted();
        try {
          await this.drainer.all();
          failures = 0;
        } catch (error) {
          failures++;
          const wait = backoffDelay(failures, this.backoff);
          this.logger.warn({ ...errorFields(error), attempt: failures, retryInMs: wait }, 'outbox relay: batch failed');
          // The backlog gauges must move most when nothing is published (the outbox-stuck alert reads them).
          await this.housekeeping.runIfDue();
          await delay(wait, signal);
          continue;
        }
        await this.housekeeping.runIfDue();
        await this.wakeSignal.wait(signal);
      }
    } finally {
      await unsubscribe();
      await this.fastPath.settle();
    }
  }
}
