import { trace, TraceFlags, type Span, type SpanContext, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { activeTraceFields, enableTraceContext, SpanKind, startHop, withHop } from './trace-context.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** A tracer that records: what an OpenTelemetry SDK hands back (its own span ids, the parent's trace). */
function recordingProvider(started: Array<{ name: string; parent: SpanContext | undefined }>): TracerProvider {
  let next = 1;
  const tracer = {
    startSpan(name, _options, context) {
      const parent = context ? trace.getSpanContext(context) : undefined;
      started.push({ name, parent });
      const spanContext: SpanContext = {
        traceId: parent?.traceId ?? 'f'.repeat(32),
        spanId: (next++).toString(16).padStart(16, '0'),
        traceFlags: TraceFlags.SAMPLED,
      };
      return { ...trace.wrapSpanContext(spanContext), isRecording: () => true, spanContext: () => spanContext } as Span;
    },
  } as Tracer;
  return { getTracer: () => tracer };
}

describe('trace context with a recording tracer (an SDK)', () => {
  enableTraceContext();
  const started: Array<{ name: string; parent: SpanContext | undefined }> = [];
  trace.setGlobalTracerProvider(recordingProvider(started));
  afterAll(() => trace.disable());

  it("hands the parent to the tracer and uses the recorded span's ids", () => {
    const hop = startHop('consume', PARENT, SpanKind.CONSUMER, 'corr-1');
    expect(started.at(-1)).toEqual({ name: 'consume', parent: expect.objectContaining({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', isRemote: true }) });
    expect(hop.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${hop.span.spanContext().spanId}-01`);
    expect(withHop(hop, () => activeTraceFields())).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: hop.span.spanContext().spanId, correlationId: 'corr-1' });
  });

  it('starts a root span without a parent', () => {
    const hop = startHop('x', undefined, SpanKind.SERVER);
    expect(started.at(-1)!.parent).toBeUndefined();
    expect(hop.traceparent.slice(3, 35)).toBe('f'.repeat(32));
  });
});
