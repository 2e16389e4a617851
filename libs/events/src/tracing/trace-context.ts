import { context, createContextKey, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from '../envelope/traceparent.js';

export { SpanKind };

const CORRELATION_ID = createContextKey('platform.correlation_id');
const tracer = trace.getTracer('@platform/events');

/**
 * Make the OpenTelemetry context follow async work (AsyncLocalStorage), so that the trace and
 * correlation ids of the request or event being handled reach every log line written meanwhile.
 * Does nothing when a context manager is already registered (an OpenTelemetry SDK brings one).
 * Idempotent.
 */
export function enableTraceContext(): void {
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

/** One hop of a trace: handling an HTTP request or an event. End `span` when the hop is done. */
export interface Hop {
  readonly span: Span;
  /** The context to run the hop in (`context.with(hop.context, fn)`). */
  readonly context: Context;
  /** This hop as a W3C traceparent: what its outgoing events and responses carry. */
  readonly traceparent: string;
}

/**
 * Start a hop as a child of `parentTraceparent` (a new trace when it is absent or malformed),
 * through the OpenTelemetry API: with an SDK registered, the span is recorded and exported as
 * configured; without one (the default), the API records nothing and the hop only gets its own
 * span id, so that trace ids still flow through HTTP, events and logs.
 */
export function startHop(name: string, parentTraceparent: string | undefined, kind: SpanKind, correlationId?: string): Hop {
  // Runs for every consumed message and every HTTP request: the parent is parsed once, and the
  // ids this hop mints are valid by construction, so they are neither re-parsed nor re-checked.
  const parent = parseTraceparent(parentTraceparent);
  const root = correlationId === undefined ? ROOT_CONTEXT : ROOT_CONTEXT.setValue(CORRELATION_ID, correlationId);
  const base = parent
    ? trace.setSpanContext(root, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true })
    : root;
  const span = tracer.startSpan(name, { kind }, base);
  if (span.isRecording()) {
    const spanContext = span.spanContext();
    const traceparent = formatTraceparent({ traceId: spanContext.traceId, spanId: spanContext.spanId, sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 });
    return { span, context: trace.setSpan(base, span), traceparent };
  }
  // The API's no-op tracer (no SDK) hands back the parent's span context, or an invalid one:
  // the hop gets its own span id in the parent's trace (a new trace without a parent). Its
  // context holds this span instead of the parent's, so it is built on `root` directly.
  const traceId = parent ? parent.traceId : newTraceId();
  const spanId = newSpanId(parent?.spanId);
  const sampled = parent ? parent.sampled : true;
  const own = trace.wrapSpanContext({ traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE });
  return { span: own, context: trace.setSpan(root, own), traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}` };
}

/** The traceparent of the hop running now, if any. */
export function activeTraceparent(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return formatTraceparent({ traceId: spanContext.traceId, spanId: spanContext.spanId, sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 });
}

/** `{ traceId, spanId, correlationId }` of the hop running now, for log lines (empty outside one). */
export function activeTraceFields(): { traceId?: string; spanId?: string; correlationId?: string } {
  const active = context.active();
  const spanContext = trace.getSpanContext(active);
  const correlationId = active.getValue(CORRELATION_ID) as string | undefined;
  return {
    ...(spanContext && trace.isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {}),
    ...(correlationId !== undefined ? { correlationId } : {}),
  };
}

/** Run `fn` inside `hop` (its trace and correlation ids are the active ones meanwhile). */
export function withHop<T>(hop: Hop, fn: () => T): T {
  return context.with(hop.context, fn);
}
