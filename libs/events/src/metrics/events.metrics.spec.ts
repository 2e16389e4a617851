import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DeadLetterReason } from '../dlq/dead-letter.js';
import { EventsMetrics } from './events.metrics.js';

describe('EventsMetrics', () => {
  it("shows a consumer's dead letters for every reason, and the relay's batches, at 0 before anything happened", async () => {
    const registry = new Registry();
    const metrics = new EventsMetrics(registry);
    metrics.initConsumer('payment-orders', Object.values(DeadLetterReason));
    const text = await registry.metrics();
    for (const reason of Object.values(DeadLetterReason)) {
      expect(text).toContain(`events_dead_lettered_total{consumer="payment-orders",reason="${reason}"} 0`);
    }
    expect(text).toContain('events_consumer_in_flight_messages{consumer="payment-orders"} 0');
    expect(text).toContain('events_outbox_relay_batches_total{result="ok"} 0');
    expect(text).toContain('events_outbox_relay_batches_total{result="error"} 0');
  });
});
