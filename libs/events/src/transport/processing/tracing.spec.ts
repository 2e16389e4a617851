import { trace, TraceFlags, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeTraceFields, enableTraceContext, withHop } from '../../tracing/trace-context.js';
import { orderEvent } from './stage.fixtures.js';
import { ConsumerTracing } from './tracing.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('ConsumerTracing', () => {
  enableTraceContext();
  const tracing = new ConsumerTracing('payment-orders');

  it('makes each message a hop of its event’s trace, carrying its correlation id', () => {
    const event = { ...orderEvent(), traceparent: PARENT, correlationid: 'corr-1' };
    const hop = tracing.start(event);
    expect(hop.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(hop.traceparent).not.toBe(PARENT);
    expect(withHop(hop, () => activeTraceFields())).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: hop.traceparent.slice(36, 52), correlationId: 'corr-1' });
  });

  it('starts a new trace for an event without a traceparent, and for a message that is not an envelope', () => {
    const event = { ...orderEvent(), traceparent: undefined };
    const [a, b] = [tracing.start(event), tracing.start(undefined)];
    expect(a.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(b.traceparent.slice(3, 35)).not.toBe(a.traceparent.slice(3, 35));
  });

  describe('with a recording tracer (an SDK)', () => {
    const spans: Array<{ name: string; ended: boolean }> = [];
    beforeAll(() => {
      const tracer = {
        startSpan(name) {
          const record = { name, ended: false };
          spans.push(record);
          const spanContext: SpanContext = { traceId: 'f'.repeat(32), spanId: spans.length.toString(16).padStart(16, '0'), traceFlags: TraceFlags.SAMPLED };
          return { ...trace.wrapSpanContext(spanContext), isRecording: () => true, spanContext: () => spanContext, end: () => void (record.ended = true) } as Span;
        },
      } as Tracer;
      trace.setGlobalTracerProvider({ getTracer: () => tracer });
    });
    afterAll(() => trace.disable());

    it('names the span `<consumer> <type>` (`<consumer> message` when there is no envelope) and ends it when told', () => {
      const hops = [tracing.start(orderEvent({ type: 'order.confirmed.v1' })), tracing.start(undefined), tracing.start(orderEvent({ type: 'order.confirmed.v1' }))];
      expect(spans).toEqual([
        { name: 'payment-orders order.confirmed.v1', ended: false },
        { name: 'payment-orders message', ended: false },
        { name: 'payment-orders order.confirmed.v1', ended: false },
      ]);
      tracing.end(hops[1]!);
      expect(spans.map((s) => s.ended)).toEqual([false, true, false]);
    });
  });
});
