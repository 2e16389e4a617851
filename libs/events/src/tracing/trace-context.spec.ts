import { createContextKey, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { activeTraceFields, activeTraceparent, enableTraceContext, SpanKind, startHop, withHop } from './trace-context.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('trace context', () => {
  enableTraceContext();

  it('continues the parent trace with a span id of its own', () => {
    const hop = startHop('POST /orders', PARENT, SpanKind.SERVER);
    expect(hop.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(hop.traceparent).not.toBe(PARENT);
  });

  it('starts a new trace without a parent, or with a malformed one', () => {
    const fresh = startHop('x', undefined, SpanKind.CONSUMER);
    const malformed = startHop('x', '00-zz-yy-01', SpanKind.CONSUMER);
    expect(fresh.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(malformed.traceparent.slice(3, 35)).not.toBe(fresh.traceparent.slice(3, 35));
  });

  it('makes the hop the active one across awaits, and nothing outside', async () => {
    const hop = startHop('consume', PARENT, SpanKind.CONSUMER, 'corr-1');
    expect(activeTraceFields()).toEqual({});
    const inside = await withHop(hop, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { fields: activeTraceFields(), traceparent: activeTraceparent() };
    });
    expect(inside.fields).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: hop.traceparent.slice(36, 52), correlationId: 'corr-1' });
    expect(inside.traceparent).toBe(hop.traceparent);
    expect(activeTraceparent()).toBeUndefined();
  });
});

describe("a hop's context", () => {
  it('behaves like an OpenTelemetry context: immutable, set and delete give new contexts', () => {
    const key = createContextKey('test.key');
    const hop = startHop('consume', PARENT, SpanKind.CONSUMER, 'corr-2');
    const withValue = hop.context.setValue(key, 'v');
    expect(withValue.getValue(key)).toBe('v');
    expect(hop.context.getValue(key)).toBeUndefined();
    expect(trace.getSpan(withValue)).toBe(hop.span);
    const replaced = withValue.setValue(key, 'w');
    expect([withValue.getValue(key), replaced.getValue(key)]).toEqual(['v', 'w']);
    const deleted = replaced.deleteValue(key);
    expect(deleted.getValue(key)).toBeUndefined();
    expect(replaced.getValue(key)).toBe('w');
    expect(trace.getSpan(trace.deleteSpan(hop.context))).toBeUndefined();
    expect(trace.getSpan(hop.context)).toBe(hop.span);
    expect(withHop({ ...hop, context: deleted }, () => activeTraceFields())).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: hop.traceparent.slice(36, 52), correlationId: 'corr-2' });
    expect(withHop(startHop('x', undefined, SpanKind.CONSUMER), () => activeTraceFields().correlationId)).toBeUndefined();
  });
});
