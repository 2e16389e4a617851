/**
 * Typed errors of the events library. The class of an error thrown by a handler decides the path
 * of the message: a {@link RetryableError} (or any error that is not an {@link EventsError}) is
 * retried with backoff up to `maxDeliver` and then dead-lettered; a {@link PermanentError} is
 * dead-lettered at once. Every error has a stable `code` (documented in docs/events-library.md).
 */
export const ErrorCode = {
  InvalidEvent: 'EVT_INVALID_EVENT',
  UnknownEventType: 'EVT_UNKNOWN_TYPE',
  MalformedEnvelope: 'EVT_MALFORMED_ENVELOPE',
  Permanent: 'EVT_PERMANENT',
  Retryable: 'EVT_RETRYABLE',
  SequenceGap: 'EVT_SEQUENCE_GAP',
  UnsafeTopologyChange: 'EVT_UNSAFE_TOPOLOGY_CHANGE',
  InvalidConfig: 'EVT_INVALID_CONFIG',
  NotFound: 'EVT_NOT_FOUND',
  CircuitOpen: 'EVT_CIRCUIT_OPEN',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export abstract class EventsError extends Error {
  abstract readonly code: ErrorCode;
  /** Whether a consumer should retry the message that caused this error. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure that may succeed on a later attempt (a timeout, a gateway outage, a lock conflict). */
export class RetryableError extends EventsError {
  readonly code: ErrorCode = ErrorCode.Retryable;
  readonly retryable = true;
}

/** A call refused without trying because its circuit breaker is open; retried like any transient failure. */
export class CircuitOpenError extends RetryableError {
  override readonly code: ErrorCode = ErrorCode.CircuitOpen;
}

/** A failure that no retry can fix: the message is dead-lettered at once. */
export class PermanentError extends EventsError {
  readonly code: ErrorCode = ErrorCode.Permanent;
  readonly retryable = false;
}

export interface ValidationIssue {
  /** Dotted path of the offending property, e.g. `items.0.quantity`. */
  readonly property: string;
  readonly messages: readonly string[];
}

/** An event whose payload or envelope breaks its contract (publisher refuses, consumer dead-letters). */
export class InvalidEventError extends PermanentError {
  override readonly code = ErrorCode.InvalidEvent;
  constructor(
    readonly eventType: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `invalid ${eventType}: ${issues.map((i) => `${i.property}: ${i.messages.join(', ')}`).join('; ')}`,
    );
  }
}

/** A message that is not a CloudEvents JSON envelope at all. */
export class MalformedEnvelopeError extends PermanentError {
  override readonly code = ErrorCode.MalformedEnvelope;
}

/** A type that no contract in the registry declares. */
export class UnknownEventTypeError extends PermanentError {
  override readonly code = ErrorCode.UnknownEventType;
  constructor(readonly eventType: string) {
    super(`unknown event type "${eventType}"`);
  }
}

/**
 * An event arrived before its predecessor in the aggregate and was held back until its last
 * attempt: the consumer dead-letters it (`sequence_gap`) with this error. Final, not retried.
 */
export class SequenceGapError extends PermanentError {
  override readonly code = ErrorCode.SequenceGap;
  constructor(
    readonly aggregate: string,
    readonly sequence: number,
  ) {
    super(`sequence ${sequence} of ${aggregate} arrived but its predecessor never did`);
  }
}

/** The provisioner refuses a change JetStream cannot apply without losing data or replaying. */
export class UnsafeTopologyChangeError extends EventsError {
  readonly code = ErrorCode.UnsafeTopologyChange;
  readonly retryable = false;
}

/** Configuration that fails validation at boot; the message names the key. */
export class InvalidConfigError extends EventsError {
  readonly code = ErrorCode.InvalidConfig;
  readonly retryable = false;
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`invalid config ${key}: ${message}`);
  }
}

export class NotFoundError extends EventsError {
  readonly code = ErrorCode.NotFound;
  readonly retryable = false;
}

/** True when a consumer should retry after this error (unknown errors are retried). */
export function isRetryable(error: unknown): boolean {
  return error instanceof EventsError ? error.retryable : true;
}
