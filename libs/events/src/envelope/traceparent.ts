import { randomBytes } from 'node:crypto';

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
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string' || value.length < 55) return undefined;
  const match = TRACEPARENT_PATTERN.exec(value);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff') return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  const flagBits = Number.parseInt(flags, 16);
  return { version, traceId, spanId, flags: flagBits, sampled: (flagBits & SAMPLED_FLAG) === SAMPLED_FLAG };
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
  return formatTraceparent({ traceId: randomHex(16), spanId: randomHex(8), sampled: options.sampled ?? true });
}

/**
 * The `traceparent` of a span caused by `parent`: same trace id and sampling, new span id,
 * version `00`. An absent or invalid parent starts a new trace, as W3C Trace Context requires
 * of a receiver.
 */
export function childTraceparent(parent: string | undefined): string {
  const context = parseTraceparent(parent);
  if (!context) return createTraceparent();
  let spanId = randomHex(8);
  while (spanId === context.spanId) spanId = randomHex(8);
  return formatTraceparent({ traceId: context.traceId, spanId, sampled: context.sampled });
}

function randomHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    // All-zero ids are invalid; the chance is 2^-64 or less, but correctness costs one compare.
    if (!/^0+$/.test(hex)) return hex;
  }
}
