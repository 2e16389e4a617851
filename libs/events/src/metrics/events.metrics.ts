import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';

/**
 * Outcomes of one consumed message (the `outcome` label of `events_consumed_total`):
 * - `ack`: handled and acknowledged;
 * - `retry`: the handler failed with a retryable error, negatively acknowledged with a delay;
 * - `dead_letter`: copied to the DLQ stream with its reason and terminated;
 * - `duplicate`: already in the inbox, acknowledged without running the handler again;
 * - `stale`: older than the aggregate's last applied sequence, acknowledged and skipped;
 * - `deferred`: arrived before its predecessor in the aggregate, held back (nak with a delay);
 * - `ignored`: a known event type this consumer has no handler for, acknowledged.
 */
export const ConsumeOutcome = {
  Ack: 'ack',
  Retry: 'retry',
  DeadLetter: 'dead_letter',
  Duplicate: 'duplicate',
  Stale: 'stale',
  Deferred: 'deferred',
  Ignored: 'ignored',
} as const;
export type ConsumeOutcome = (typeof ConsumeOutcome)[keyof typeof ConsumeOutcome];

/** Result label of `events_published_total`. */
export const PublishResult = { Ok: 'ok', Duplicate: 'duplicate', Error: 'error' } as const;
export type PublishResult = (typeof PublishResult)[keyof typeof PublishResult];

/** Names of every metric this library registers; docs/metrics.md lists them, a test keeps them in sync. */
export const EventsMetricName = {
  Published: 'events_published_total',
  PublishDuration: 'events_publish_duration_seconds',
  Consumed: 'events_consumed_total',
  HandlerDuration: 'events_handler_duration_seconds',
  EventAge: 'events_age_at_handling_seconds',
  ConsumerPending: 'events_consumer_pending_messages',
  ConsumerAckPending: 'events_consumer_ack_pending_messages',
  InFlight: 'events_consumer_in_flight_messages',
  DeadLettered: 'events_dead_lettered_total',
  SequenceRowMissing: 'events_sequence_row_missing_total',
  OutboxPending: 'events_outbox_pending_rows',
  OutboxLag: 'events_outbox_relay_lag_seconds',
  RelayLeader: 'events_outbox_relay_leader',
  RelayBatches: 'events_outbox_relay_batches_total',
} as const;

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const AGE_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600];

/**
 * The library's Prometheus instruments. Labels are bounded: event types come from the registry
 * (anything else is counted as `unknown`), consumers and reasons from the topology and the code.
 * Never ids or free text.
 */
export class EventsMetrics {
  readonly published: Counter<'event_type' | 'result'>;
  readonly publishDuration: Histogram<never>;
  readonly consumed: Counter<'consumer' | 'event_type' | 'outcome'>;
  readonly handlerDuration: Histogram<'consumer' | 'event_type'>;
  readonly eventAge: Histogram<'consumer'>;
  readonly consumerPending: Gauge<'consumer'>;
  readonly consumerAckPending: Gauge<'consumer'>;
  readonly inFlight: Gauge<'consumer'>;
  readonly deadLettered: Counter<'consumer' | 'reason'>;
  readonly sequenceRowMissing: Counter<'consumer'>;
  readonly outboxPending: Gauge<never>;
  readonly outboxLag: Gauge<never>;
  readonly relayLeader: Gauge<never>;
  readonly relayBatches: Counter<'result'>;

  constructor(registry: Registry = globalRegistry) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      (registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram({ name, help, labelNames, buckets, registers });

    this.published = counter(EventsMetricName.Published, 'Events published to JetStream by the outbox relay', ['event_type', 'result']);
    this.publishDuration = histogram(EventsMetricName.PublishDuration, 'Time from publish to JetStream acknowledgement, seconds', [], LATENCY_BUCKETS);
    this.consumed = counter(EventsMetricName.Consumed, 'Messages consumed, by outcome', ['consumer', 'event_type', 'outcome']);
    this.handlerDuration = histogram(EventsMetricName.HandlerDuration, 'Handler run time including its transaction, seconds', ['consumer', 'event_type'], LATENCY_BUCKETS);
    this.eventAge = histogram(EventsMetricName.EventAge, 'Event age when handled (now - event time), seconds', ['consumer'], AGE_BUCKETS);
    this.consumerPending = gauge(EventsMetricName.ConsumerPending, 'Messages in the stream not yet delivered to the consumer', ['consumer']);
    this.consumerAckPending = gauge(EventsMetricName.ConsumerAckPending, 'Messages delivered to the consumer and not yet acknowledged', ['consumer']);
    this.inFlight = gauge(EventsMetricName.InFlight, 'Messages being handled in this process', ['consumer']);
    this.deadLettered = counter(EventsMetricName.DeadLettered, 'Messages copied to the DLQ stream, by reason', ['consumer', 'reason']);
    this.sequenceRowMissing = counter(
      EventsMetricName.SequenceRowMissing,
      "Early events applied on their final deferral because their aggregate's sequence row was pruned",
      ['consumer'],
    );
    this.outboxPending = gauge(EventsMetricName.OutboxPending, 'Outbox rows committed and not yet published', []);
    this.outboxLag = gauge(EventsMetricName.OutboxLag, 'Age of the oldest unpublished outbox row, seconds (0 when none)', []);
    this.relayLeader = gauge(EventsMetricName.RelayLeader, '1 when this process holds the outbox relay lock', []);
    this.relayBatches = counter(EventsMetricName.RelayBatches, 'Outbox relay batches, by result', ['result']);
    for (const result of ['ok', 'error']) this.relayBatches.inc({ result }, 0);
  }

  /**
   * Show a consumer's labelled series at 0 before anything happens to it (dashboards show 0,
   * not "no data"): dead letters for every reason, events applied without their sequence row,
   * and the in-flight gauge.
   */
  initConsumer(consumer: string, deadLetterReasons: readonly string[]): void {
    for (const reason of deadLetterReasons) this.deadLettered.inc({ consumer, reason }, 0);
    this.sequenceRowMissing.inc({ consumer }, 0);
    this.inFlight.inc({ consumer }, 0);
  }
}
