import type { ConsumeOutcome, EventsMetrics } from '../../metrics/events.metrics.js';
import type { Decision, PreparedMessage } from './types.js';

/** `events_consumed_total` children are cached per type and outcome; this bounds them. */
const MAX_CACHED_COUNTERS = 4096;

/**
 * The consumer's instruments: a message's outcome (`events_consumed_total`, by type label and
 * outcome), its dead-letter reason, its age when applied, the handler's duration.
 */
export class ConsumeMetrics {
  private readonly consumedCounters = new Map<string, Map<ConsumeOutcome, { inc(): void }>>();
  private cachedCounters = 0;

  constructor(
    private readonly metrics: EventsMetrics,
    private readonly consumer: string,
  ) {}

  /** Starts `events_handler_duration_seconds` of a handler of `type`; call the result when it returns. */
  handlerTimer(type: string): () => void {
    return this.metrics.handlerDuration.startTimer({ consumer: this.consumer, event_type: type });
  }

  /** Count how `item` ended. */
  settled(item: PreparedMessage, decision: Decision): void {
    const { metrics, consumer } = this;
    if (decision.sequenceRowMissing) metrics.sequenceRowMissing.inc({ consumer });
    this.consumedCounter(item.typeLabel, decision.outcome).inc();
    if (decision.deadLetter) metrics.deadLettered.inc({ consumer, reason: decision.deadLetter });
    if (decision.applied && item.event) metrics.eventAge.observe({ consumer }, Math.max(0, (Date.now() - Date.parse(item.event.time)) / 1000));
  }

  /** The `events_consumed_total` child of a type and outcome, looked up once (by type, then outcome: no key is built per message). */
  private consumedCounter(type: string, outcome: ConsumeOutcome): { inc(): void } {
    let byOutcome = this.consumedCounters.get(type);
    let counter = byOutcome?.get(outcome);
    if (!counter) {
      counter = this.metrics.consumed.labels({ consumer: this.consumer, event_type: type, outcome });
      if (this.cachedCounters < MAX_CACHED_COUNTERS) {
        if (!byOutcome) this.consumedCounters.set(type, (byOutcome = new Map()));
        byOutcome.set(outcome, counter);
        this.cachedCounters++;
      }
    }
    return counter;
  }
}
