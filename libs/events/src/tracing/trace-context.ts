import { context, createContextKey, SpanKind, trace, TraceFlags, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from '../envelope/traceparent.js';

export { SpanKind };

const CORRELATION_ID = createContextKey('platform.correlation_id');
const tracer = trace.getTracer('@platform/events');

/**
 * An immutable context holding one value on top of another context. The API's own contexts copy
 * a Map and create three closures for every value set; a hop sets two or three values, once per
 * consumed message or HTTP request. Same semantics: `setValue` and `deleteValue` return a new
 * context, the receiver is never changed.
 */
class ValueContext implements Context {
  constructor(
    private readonly parent: Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === this.key ? this.value : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return new ValueContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new ValueContext(this, key, undefined);
  }
}

/** The empty context hops are built on (`ROOT_CONTEXT`'s equivalent, with light children). */
const EMPTY_CONTEXT: Context = {
  getValue: () => undefined,
  setValue: (key, value) => new ValueContext(EMPTY_CONTEXT, key, value),
  deleteValue: () => EMPTY_CONTEXT,
};

/** `startSpan` options by span kind, made once: tracers read them and never change them. */
const SPAN_OPTIONS = new Map<SpanKind, SpanOptions>();

function spanOptions(kind: SpanKind): SpanOptions {
  let options = SPAN_OPTIONS.get(kind);
  if (!options) {
    options = Object.freeze({ kind });
    SPAN_OPTIONS.set(kind, options);
  }
  return options;
}

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
  const root = correlationId === undefined ? EMPTY_CONTEXT : EMPTY_CONTEXT.setValue(CORRELATION_ID, correlationId);
  const base = parent
    ? trace.setSpanContext(root, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true })
    : root;
  const span = tracer.startSpan(name, spanOptions(kind), base);
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
