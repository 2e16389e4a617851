import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/):
 * `<version>-<trace-id>-<parent-id>-<trace-flags>`, e.g.
 * `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. Lower-case hex only.
 */
export interface TraceContext {
  /** Two hex digits; `00` today. */
  readonly version: string;
  /** 32 hex digits, not all zero. */
  readonly traceId: string;
  /** 16 hex digits, not all zero: the span that sent the message. */
  readonly spanId: string;
  /** Trace flags as a number (bit 0 = sampled). */
  readonly flags: number;
  readonly sampled: boolean;
}

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const SAMPLED_FLAG = 0x01;

/**
 * Parse a `traceparent`; `undefined` when it is invalid (wrong shape, upper-case hex, version
 * `ff`, all-zero trace or span id). Version `00` must be exactly 55 characters; a later version
 * may carry more fields after a `-`, which are ignored, as the specification asks.
 *
 * The last value parsed and its result are remembered: a consumer checks an event's traceparent
 * when it decodes the envelope and parses the same string again when it starts the hop.
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string' || value.length < 55) return undefined;
  if (value === lastParsed) return lastContext;
  const context = parseUncached(value);
  lastParsed = value;
  lastContext = context;
  return context;
}

let lastParsed: string | undefined;
let lastContext: TraceContext | undefined;

function parseUncached(value: string): TraceContext | undefined {
  const match = TRACEPARENT_PATTERN.exec(value);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff') return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  const flagBits = Number.parseInt(flags, 16);
  return Object.freeze({ version, traceId, spanId, flags: flagBits, sampled: (flagBits & SAMPLED_FLAG) === SAMPLED_FLAG });
}

export function isValidTraceparent(value: unknown): value is string {
  return parseTraceparent(value) !== undefined;
}

/** Format a version-00 `traceparent`; throws a `TypeError` on an invalid trace or span id. */
export function formatTraceparent(context: Pick<TraceContext, 'traceId' | 'spanId'> & { readonly sampled?: boolean }): string {
  const value = `00-${context.traceId}-${context.spanId}-${context.sampled === false ? '00' : '01'}`;
  if (!isValidTraceparent(value)) throw new TypeError(`invalid trace context: ${value}`);
  return value;
}

/** A new root `traceparent`: random trace id and span id, sampled unless `sampled` is false. */
export function createTraceparent(options: { readonly sampled?: boolean } = {}): string {
  // Valid by construction (lower-case hex of the right lengths, never all zero): no re-check.
  return `00-${newTraceId()}-${newSpanId()}-${options.sampled === false ? '00' : '01'}`;
}

/**
 * The `traceparent` of a span caused by `parent`: same trace id and sampling, new span id,
 * version `00`. An absent or invalid parent starts a new trace, as W3C Trace Context requires
 * of a receiver.
 */
export function childTraceparent(parent: string | undefined): string {
  const context = parseTraceparent(parent);
  if (!context) return createTraceparent();
  return `00-${context.traceId}-${newSpanId(context.spanId)}-${context.sampled ? '01' : '00'}`;
}

// Trace and span ids come from a pool of random bytes, refilled with one randomFillSync (a
// cryptographically strong generator, as for any other id) when used up, instead of a
// randomBytes() call per id: two such system calls per consumed message were a quarter of the
// consumer's time. Each id is hex-encoded from its own bytes of the pool and never reused.
const ID_POOL_BYTES = 8192;
const idPool = Buffer.allocUnsafeSlow(ID_POOL_BYTES);
let idPoolOffset = ID_POOL_BYTES;

function randomHex(bytes: number): string {
  if (idPoolOffset + bytes > ID_POOL_BYTES) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const start = idPoolOffset;
  idPoolOffset += bytes;
  return idPool.toString('hex', start, idPoolOffset);
}

/** A new random W3C trace id: 32 lower-case hex digits, never all zero. */
export function newTraceId(): string {
  for (;;) {
    const id = randomHex(16);
    // All-zero ids are invalid; the chance is 2^-128, but correctness costs one compare.
    if (id !== ZERO_TRACE_ID) return id;
  }
}

/** A new random W3C span (parent) id: 16 lower-case hex digits, never all zero nor `unlike`. */
export function newSpanId(unlike?: string): string {
  for (;;) {
    const id = randomHex(8);
    if (id !== ZERO_SPAN_ID && id !== unlike) return id;
  }
}
