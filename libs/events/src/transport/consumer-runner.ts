// Longer than the ~250 lines a file here aims at, on purpose: the consume loop, pause/resume and
// the stop sequence (hand-backs, the cluster's open pulls) share one runner's state — the pull,
// the scheduler, the receiving window — and read best together. Sizing and closing are apart
// (pull-sizing.ts, close-draining.ts).
import type { Consumer, ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import type { EventsMetrics } from '../metrics/events.metrics.js';
import { backoffDelay, delay } from '../util/backoff.js';
import { errorFields, silentLogger, type EventsLogger } from '../util/logger.js';
import { BatchScheduler, type Semaphore } from './batch-scheduler.js';
import { MessageProcessor, type PreparedMessage } from './message-processor.js';
import { closeDraining } from './close-draining.js';
import { defaultPrefetch, PULL_EXPIRES_MS } from './pull-sizing.js';
import { SettleBatcher } from './settle-batcher.js';

export interface ConsumerRunnerOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  /** The durable pull consumer, provisioned beforehand (services never create consumers). */
  readonly durable: string;
  readonly processor: MessageProcessor;
  /**
   * Batches handled at once in this process (different aggregates; one aggregate is serial).
   * JetStream's `max_ack_pending` bounds the messages in flight across replicas. Default 32.
   */
  readonly concurrency?: number;
  /**
   * Messages handled together in one batch (one database transaction) at most. A batch takes the
   * messages that are ready when it starts, so a lone message is never delayed to fill one.
   * Default 1 (a transaction per message); ServerJetStream uses 50 with a database.
   */
  readonly batchSize?: number;
  /** A permit held while a batch runs, shared by the consumers of one service (see ServerJetStream). */
  readonly lane?: Semaphore;
  /** Messages buffered per pull request. Default {@link defaultPrefetch}. */
  readonly maxMessages?: number;
  /** How often pending/ack-pending gauges are refreshed from consumer info, ms. Default 10 000. */
  readonly statsIntervalMs?: number;
  readonly metrics?: EventsMetrics;
  readonly logger?: EventsLogger;
}

/**
 * At stop on a single server, how long the runner may still receive deliveries: the drain's round
 * trip, with room for a loaded event loop.
 */
const LOCAL_DRAIN_GUARD_MS = 1_000;
/** Added to every hand-back delay at stop, for the server's clock and timers. */
const HAND_BACK_MARGIN_MS = 250;

/**
 * Pulls one durable consumer with `consume()` and feeds a {@link BatchScheduler}, which hands the
 * processor batches of ready messages: awaiting room before taking the next message is the
 * process-side backpressure, `max_ack_pending` the server-side one. `stop()` stops pulling,
 * negatively acknowledges what was buffered but not started (so another replica takes it at
 * once), and waits for running batches to finish and ack.
 */
export class ConsumerRunner {
  private readonly scheduler: BatchScheduler<PreparedMessage>;
  private readonly settlements = new SettleBatcher();
  private readonly logger: EventsLogger;
  private messages?: ConsumerMessages;
  private consumer?: Consumer;
  private loop?: Promise<void>;
  private stopping = false;
  private consuming = false;
  private statsTimer?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private pauseGate?: { promise: Promise<void>; open: () => void };
  /** While stopping: until when this runner may still receive deliveries (see stop). */
  private receivingUntil = 0;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.logger = options.logger ?? silentLogger;
    const durable = options.durable;
    this.scheduler = new BatchScheduler<PreparedMessage>({
      concurrency: options.concurrency ?? 32,
      batchSize: options.batchSize ?? 1,
      lane: options.lane,
      keyOf: (item) => item.orderingKey,
      run: async (batch) => {
        const gauge = this.options.metrics?.inFlight;
        gauge?.inc({ consumer: durable }, batch.length);
        try {
          await options.processor.handleBatch(batch);
        } catch (error) {
          // handleBatch decides every outcome itself; reaching here is a bug. Leave the messages
          // unacked: JetStream redelivers them after ack_wait.
          this.logger.error({ consumer: durable, ...errorFields(error) }, 'message processing failed unexpectedly');
        } finally {
          gauge?.dec({ consumer: durable }, batch.length);
        }
      },
    });
  }

  get name(): string {
    return this.options.durable;
  }

  /** True while pulling messages (readiness). */
  get isConsuming(): boolean {
    return this.consuming;
  }

  /** True while a batch waits for the database to come back (readiness turns false meanwhile). */
  get isWaitingForDatabase(): boolean {
    return this.options.processor.isDatabaseUnavailable;
  }

  get inFlight(): number {
    return this.scheduler.inFlight;
  }

  /** True while paused: no new message is started (see {@link pause}). */
  get isPaused(): boolean {
    return this.pauseGate !== undefined;
  }

  /**
   * Stop taking messages until {@link resume}: handlers already running finish, the messages
   * already buffered wait (unacknowledged), and no further pull is issued once the buffer is
   * full. For a dependency known to be down (a circuit breaker), so that messages are not burnt
   * through their retries. A pause longer than the consumer's ack wait lets JetStream redeliver
   * the buffered messages (their delivery count grows), so keep pauses shorter than that.
   */
  pause(): void {
    if (this.pauseGate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.pauseGate = { promise, open };
    this.logger.warn({ consumer: this.options.durable }, 'consumer paused');
  }

  /** Take messages again after {@link pause}. */
  resume(): void {
    const gate = this.pauseGate;
    if (!gate) return;
    this.pauseGate = undefined;
    gate.open();
    this.logger.info({ consumer: this.options.durable }, 'consumer resumed');
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
    const interval = this.options.statsIntervalMs ?? 10_000;
    if (this.options.metrics && interval > 0) {
      this.statsTimer = setInterval(() => void this.refreshStats(), interval);
      this.statsTimer.unref();
    }
  }

  /** Resolves once the consumer is found and pulling, or rejects after `timeoutMs`. */
  async waitUntilConsuming(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.consuming) {
      if (Date.now() > deadline) throw new Error(`consumer ${this.options.durable} is not consuming after ${timeoutMs} ms`);
      await delay(20);
    }
  }

  /**
   * Stop without stranding a message or spending its attempts: running batches finish and ack;
   * what was buffered, and what the server still sends for the open pull requests, is handed back
   * (nak) for redelivery elsewhere. A hand-back is delayed until this runner receives no more: at
   * once, it would come straight back to the runner's own open pull request, be handed back again,
   * and so on, a delivery spent each time, until the consumer's `max_deliver` is reached with no
   * handler run (measured on a 3-node cluster: an event dead-lettered as `max_deliveries` after a
   * graceful restart of the services).
   *
   * On a cluster the runner also stops pulling and listens until its open pull requests have
   * ended (filled, or expired: at most {@link PULL_EXPIRES_MS}) before it unsubscribes. There, a
   * pull request outlives the subscription it was made for, and a message the consumer's leader
   * sends to it afterwards (new, or a hand-back coming due) is lost and waits for the ack wait
   * (measured: one message or two per restart of every service, whether or not the leader is the
   * node the runner is connected to). On a single server the drain alone hands back everything;
   * see {@link closeDraining}.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.receivingUntil = Date.now() + LOCAL_DRAIN_GUARD_MS;
    this.abort.abort();
    this.options.processor.stop();
    this.resume();
    clearInterval(this.statsTimer);
    this.handBackQueued();
    const messages = this.messages;
    if (messages) {
      const awaitOpenPulls = (await this.isClustered()) ? PULL_EXPIRES_MS + 1_000 : 0;
      this.receivingUntil = Math.max(this.receivingUntil, Date.now() + awaitOpenPulls);
      await closeDraining(messages, { awaitOpenPullsMs: awaitOpenPulls });
    }
    await this.loop;
    this.handBackQueued();
    await this.scheduler.onIdle();
    this.settlements.flush();
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    const { js, stream, durable, processor } = this.options;
    const maxMessages = this.options.maxMessages ?? defaultPrefetch(this.options.concurrency ?? 32, this.options.batchSize ?? 1);
    let failures = 0;
    while (!this.stopping) {
      try {
        this.consumer = await js.consumers.get(stream, durable);
        const messages = await this.consumer.consume({ max_messages: maxMessages, expires: PULL_EXPIRES_MS });
        this.messages = messages;
        this.restartWhenDeleted(messages);
        this.consuming = true;
        failures = 0;
        this.logger.info({ stream, consumer: durable }, 'consumer started');
        // The pending gauges from the start, not only after the first refresh interval.
        void this.refreshStats();
        for await (const message of messages) {
          while (this.pauseGate && !this.stopping) await this.pauseGate.promise;
          if (this.stopping) {
            message.nak(this.handBackDelay());
            continue;
          }
          const room = this.scheduler.submit(processor.prepare(this.settlements.wrap(message)));
          if (room) await room;
        }
      } catch (error) {
        failures++;
        this.logger.warn({ stream, consumer: durable, ...errorFields(error), attempt: failures }, 'consumer unavailable, retrying');
      } finally {
        this.consuming = false;
      }
      if (!this.stopping) await delay(backoffDelay(Math.max(failures, 1), { initialMs: 250, maxMs: 10_000 }), this.abort.signal);
    }
  }

  /**
   * A durable deleted under a running `consume()` (recreated by `platform replay`, or by hand as the
   * provisioner's remedy says) is found again only after two missed heartbeats, tens of seconds.
   * Told the durable is gone, stop this iterator instead: the run loop gets the durable again,
   * retrying with backoff until it exists.
   */
  private restartWhenDeleted(messages: ConsumerMessages): void {
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found') {
          this.logger.warn({ stream: this.options.stream, consumer: this.options.durable, notification: status.type }, 'durable consumer deleted, getting it again');
          await messages.close().catch(() => undefined);
          return;
        }
      }
    })().catch(() => undefined);
  }

  private handBackQueued(): void {
    for (const item of this.scheduler.takeQueued()) {
      item.message.nak(this.handBackDelay());
      item.hop.span.end();
    }
  }

  /** A hand-back at stop is redelivered once this runner can no longer receive it (see stop). */
  private handBackDelay(): number {
    return Math.max(0, this.receivingUntil - Date.now()) + HAND_BACK_MARGIN_MS;
  }

  /** True when the consumer lives on a JetStream cluster (its info, cached when it was got, names one). */
  private async isClustered(): Promise<boolean> {
    const info = await this.consumer?.info(true).catch(() => undefined);
    return info?.cluster?.name !== undefined;
  }

  private async refreshStats(): Promise<void> {
    const metrics = this.options.metrics;
    if (!metrics || !this.consumer) return;
    try {
      const info = await this.consumer.info();
      metrics.consumerPending.set({ consumer: this.options.durable }, info.num_pending);
      metrics.consumerAckPending.set({ consumer: this.options.durable }, info.num_ack_pending);
    } catch {
      // stats are best effort; the consume loop reports real failures
    }
  }
}
