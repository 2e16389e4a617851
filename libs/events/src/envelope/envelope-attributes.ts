import type { ValidationIssue } from '../errors.js';
import { parseEventType } from '../subjects/subjects.js';
import { TENANT_ID_PATTERN } from './envelope.js';

/** The CloudEvents version of every envelope. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';
/** `datacontenttype` of every envelope: `data` is a JSON object. */
export const ENVELOPE_DATA_CONTENT_TYPE = 'application/json';
/** Media type of a whole envelope in structured mode (CloudEvents JSON format). */
export const CLOUDEVENTS_JSON_MEDIA_TYPE = 'application/cloudevents+json';

/** A UUID in canonical form, any version (event ids are minted as UUIDv7). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** Upper bound on `source`, `subject`, `correlationid` and `causationid`. */
export const MAX_ATTRIBUTE_LENGTH = 256;

/**
 * The problems with the attributes of a would-be envelope (everything but the contents of
 * `data`), in attribute order; empty when it is a valid platform envelope. `correlationid`,
 * `causationid` and `traceparent` may be absent. Shared by `createEnvelope` and `parseEnvelope`
 * so that what one builds the other accepts.
 */
export function envelopeAttributeIssues(candidate: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const check of ATTRIBUTE_CHECKS) {
    const value = candidate[check.property];
    if (!check.accepts(value)) issues.push({ property: check.property, messages: [`${check.message}, got ${preview(value)}`] });
  }
  return issues;
}

/**
 * True when {@link envelopeAttributeIssues} would find nothing, without allocating: the check
 * every consumed message goes through (the issues are worked out only for a refused one).
 */
export function hasValidEnvelopeAttributes(candidate: Readonly<Record<string, unknown>>): boolean {
  for (const check of ATTRIBUTE_CHECKS) if (!check.accepts(candidate[check.property])) return false;
  return true;
}

interface AttributeCheck {
  readonly property: string;
  readonly accepts: (value: unknown) => boolean;
  readonly message: string;
}

const BOUNDED_STRING_MESSAGE = `must be a non-empty string of at most ${MAX_ATTRIBUTE_LENGTH} characters`;
const isOptionalBoundedString = (value: unknown): boolean => value === undefined || isBoundedString(value);

/** The attributes in the order their issues are listed. */
const ATTRIBUTE_CHECKS: readonly AttributeCheck[] = [
  { property: 'specversion', accepts: (value) => value === CLOUDEVENTS_SPEC_VERSION, message: `must be "${CLOUDEVENTS_SPEC_VERSION}"` },
  { property: 'id', accepts: (value) => matches(value, UUID_PATTERN), message: 'must be a UUID' },
  { property: 'source', accepts: isBoundedString, message: BOUNDED_STRING_MESSAGE },
  { property: 'type', accepts: isEventType, message: 'must be a versioned event type <producer>.<event-name>.v<N>' },
  { property: 'time', accepts: isRfc3339Timestamp, message: 'must be an RFC 3339 timestamp' },
  { property: 'subject', accepts: isBoundedString, message: BOUNDED_STRING_MESSAGE },
  { property: 'datacontenttype', accepts: (value) => value === ENVELOPE_DATA_CONTENT_TYPE, message: `must be "${ENVELOPE_DATA_CONTENT_TYPE}"` },
  { property: 'data', accepts: isJsonObject, message: 'must be a JSON object' },
  { property: 'tenantid', accepts: (value) => matches(value, TENANT_ID_PATTERN), message: `must match ${TENANT_ID_PATTERN}` },
  { property: 'sequence', accepts: isSequence, message: 'must be a positive integer' },
  { property: 'correlationid', accepts: isOptionalBoundedString, message: BOUNDED_STRING_MESSAGE },
  { property: 'causationid', accepts: isOptionalBoundedString, message: BOUNDED_STRING_MESSAGE },
  { property: 'traceparent', accepts: (value) => value === undefined || typeof value === 'string', message: 'must be a string' },
];

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(value: unknown, pattern: RegExp): boolean {
  return typeof value === 'string' && pattern.test(value);
}

function isBoundedString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ATTRIBUTE_LENGTH;
}

function isSequence(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const RFC3339_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** The two-digit number at `at` (the shape check guarantees digits). */
function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48);
}

/**
 * An RFC 3339 date-time with seconds, an optional fraction (up to nanoseconds) and a zone,
 * upper-case `T` and `Z` (`2026-01-31T12:00:00.000Z`), with real calendar values (no
 * February 30th, no hour 24). Allocation-free: it runs for every envelope.
 */
export function isRfc3339Timestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !RFC3339_SHAPE.test(value)) return false;
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  if (twoDigits(value, 11) > 23 || twoDigits(value, 14) > 59 || twoDigits(value, 17) > 60) return false;
  const end = value.length;
  return value.charCodeAt(end - 1) === 90 /* Z */ || (twoDigits(value, end - 5) <= 23 && twoDigits(value, end - 2) <= 59);
}

/**
 * Event types already found valid. A consumer sees a handful of types, each in many messages:
 * parsing one costs a match and two objects. Bounded, so that junk types cannot grow it.
 */
const validEventTypes = new Set<string>();
const MAX_REMEMBERED_EVENT_TYPES = 1024;

function isEventType(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_ATTRIBUTE_LENGTH) return false;
  if (validEventTypes.has(value)) return true;
  try {
    parseEventType(value);
  } catch {
    return false;
  }
  if (validEventTypes.size < MAX_REMEMBERED_EVENT_TYPES) validEventTypes.add(value);
  return true;
}

/** A short, safe rendering of a bad value for an error message. */
export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return `a ${typeof value}`;
  }
}
