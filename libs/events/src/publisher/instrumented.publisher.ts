import type { EventsMetrics } from '../metrics/events.metrics.js';
import { PublishResult } from '../metrics/events.metrics.js';
import type { PublishAck, PublishOptions, Publisher } from './publisher.js';

/**
 * Decorates a {@link Publisher} with publish counts and latency. The count is labelled with the
 * event type from the `Ce-Type` header the outbox sets (bounded by the registry), or `unknown`.
 */
export class InstrumentedPublisher implements Publisher {
  constructor(
    private readonly inner: Publisher,
    private readonly metrics: EventsMetrics,
    private readonly eventTypeOf: (subject: string, options: PublishOptions) => string = (_subject, options) =>
      options.headers?.['Ce-Type'] ?? 'unknown',
  ) {}

  async publish(subject: string, payload: Uint8Array, options: PublishOptions): Promise<PublishAck> {
    const stop = this.metrics.publishDuration.startTimer();
    const eventType = this.eventTypeOf(subject, options);
    try {
      const ack = await this.inner.publish(subject, payload, options);
      stop();
      this.metrics.published.inc({ event_type: eventType, result: ack.duplicate ? PublishResult.Duplicate : PublishResult.Ok });
      return ack;
    } catch (error) {
      this.metrics.published.inc({ event_type: eventType, result: PublishResult.Error });
      throw error;
    }
  }
}
