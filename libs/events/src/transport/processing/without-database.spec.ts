import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventsMetrics } from '../../metrics/events.metrics.js';
import { activeTraceparent, enableTraceContext } from '../../tracing/trace-context.js';
import type { BatchEventContext, EventContext } from '../event-context.js';
import { ConsumeMetrics } from './metrics.js';
import { messageOf, orderEvent, preparedOf, TEST_CONSUMER } from './stage.fixtures.js';
import type { PreparedMessage } from './types.js';
import { handleWithoutDatabase } from './without-database.js';

describe('handleWithoutDatabase', () => {
  enableTraceContext();
  const event = orderEvent();

  it('runs the handler in the message’s hop with a context that has no transaction', async () => {
    const seen: Array<{ traceparent: string | undefined; context: EventContext }> = [];
    const item = preparedOf(messageOf(event, { streamSequence: 7 }), event, async (_e, context) => void seen.push({ traceparent: activeTraceparent(), context }));
    await handleWithoutDatabase(item, undefined, undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.traceparent).toBe(item.hop.traceparent);
    expect(seen[0]!.context.tx).toBeUndefined();
    expect(seen[0]!.context.delivery).toMatchObject({ consumer: TEST_CONSUMER, streamSequence: 7 });
  });

  it('gives a batch handler the event alone', async () => {
    const calls: Array<{ ids: string[]; context: BatchEventContext }> = [];
    const item: PreparedMessage = { ...preparedOf(messageOf(event), event), batchHandler: async (events, context) => void calls.push({ ids: events.map((e) => e.id), context }) };
    await handleWithoutDatabase(item, undefined, undefined);
    expect(calls.map((c) => c.ids)).toEqual([[event.id]]);
    expect(calls[0]!.context.deliveries).toEqual([item.delivery]);
  });

  it('rejects with what the handler threw, its duration timed either way', async () => {
    const registry = new Registry();
    const metrics = new ConsumeMetrics(new EventsMetrics(registry), TEST_CONSUMER);
    const failure = new Error('boom');
    const item = preparedOf(messageOf(event), event, async () => Promise.reject(failure));
    await expect(handleWithoutDatabase(item, undefined, metrics)).rejects.toBe(failure);
    await handleWithoutDatabase(preparedOf(messageOf(event), event, async () => undefined), undefined, metrics);
    expect(await registry.getSingleMetricAsString('events_handler_duration_seconds')).toContain('events_handler_duration_seconds_count{consumer="payment-orders",event_type="order.created.v1"} 2');
  });
});
