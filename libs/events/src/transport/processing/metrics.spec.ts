import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConsumeOutcome, EventsMetrics } from '../../metrics/events.metrics.js';
import { ConsumeMetrics } from './metrics.js';
import { messageOf, orderEvent, preparedOf, TEST_CONSUMER } from './stage.fixtures.js';
import type { Decision } from './types.js';

function setup() {
  const registry = new Registry();
  const metrics = new ConsumeMetrics(new EventsMetrics(registry), TEST_CONSUMER);
  /** The sample `name` (a histogram's `_count` or `_sum` too) with `labels`; undefined when there is none. */
  const value = async (name: string, labels: Record<string, string>) => {
    const samples = (await registry.getMetricsAsJSON()).flatMap((metric) => metric.values.map((sample) => ({ ...sample, name: (sample as { metricName?: string }).metricName ?? metric.name })));
    return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, label]) => sample.labels[key] === label))?.value;
  };
  return { registry, metrics, value };
}

const ACK: Decision = { outcome: ConsumeOutcome.Ack, settle: 'ack', applied: true };

describe('ConsumeMetrics', () => {
  it('counts each outcome by consumer, type label and outcome', async () => {
    const { metrics, value } = setup();
    const event = orderEvent();
    const item = preparedOf(messageOf(event), event);
    metrics.settled(item, ACK);
    metrics.settled(item, ACK);
    metrics.settled(item, { outcome: ConsumeOutcome.Retry, settle: { nakMs: 10 } });
    metrics.settled(preparedOf(messageOf(event), undefined), { outcome: ConsumeOutcome.DeadLetter, settle: 'term', deadLetter: 'malformed_envelope' });
    expect(await value('events_consumed_total', { consumer: TEST_CONSUMER, event_type: 'order.created.v1', outcome: 'ack' })).toBe(2);
    expect(await value('events_consumed_total', { consumer: TEST_CONSUMER, event_type: 'order.created.v1', outcome: 'retry' })).toBe(1);
    expect(await value('events_consumed_total', { consumer: TEST_CONSUMER, event_type: 'unknown', outcome: 'dead_letter' })).toBe(1);
    expect(await value('events_dead_lettered_total', { consumer: TEST_CONSUMER, reason: 'malformed_envelope' })).toBe(1);
  });

  it('observes the age of an event only when it was applied, and counts one applied without its sequence row', async () => {
    const { metrics, value } = setup();
    const event = { ...orderEvent(), time: new Date(Date.now() - 60_000).toISOString() };
    const item = preparedOf(messageOf(event), event);
    metrics.settled(item, { outcome: ConsumeOutcome.Duplicate, settle: 'ack' });
    expect(await value('events_age_at_handling_seconds_count', { consumer: TEST_CONSUMER })).toBeUndefined();
    metrics.settled(item, { ...ACK, sequenceRowMissing: true });
    expect(await value('events_age_at_handling_seconds_count', { consumer: TEST_CONSUMER })).toBe(1);
    expect(await value('events_age_at_handling_seconds_sum', { consumer: TEST_CONSUMER })).toBeGreaterThanOrEqual(60);
    expect(await value('events_sequence_row_missing_total', { consumer: TEST_CONSUMER })).toBe(1);
  });

  it('times a handler by consumer and type', async () => {
    const { metrics, value } = setup();
    metrics.handlerTimer('order.created.v1')();
    expect(await value('events_handler_duration_seconds_count', { consumer: TEST_CONSUMER, event_type: 'order.created.v1' })).toBe(1);
  });
});
