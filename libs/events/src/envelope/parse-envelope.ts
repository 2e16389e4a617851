import { MalformedEnvelopeError } from '../errors.js';
import type { EventEnvelope } from './envelope.js';
import { envelopeAttributeIssues, hasValidEnvelopeAttributes, isJsonObject, preview } from './envelope-attributes.js';
import { isValidTraceparent } from './traceparent.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

class ForbiddenKeyError extends Error {}

/**
 * Decode a CloudEvents structured-mode JSON envelope (a message body) and check its attributes:
 * `specversion` `1.0`; `id` a UUID; `source`, `subject` non-empty; `type` a versioned event
 * type; `time` RFC 3339; `datacontenttype` `application/json`; `data` a JSON object; `tenantid`
 * matching `TENANT_ID_PATTERN`; `sequence` a positive safe integer.
 *
 * - `correlationid` defaults to `id` and `causationid` to `correlationid` when absent.
 * - An invalid `traceparent` is dropped (W3C Trace Context: a receiver starts a new trace).
 * - Unknown attributes are not copied into the result.
 * - The contents of `data` are not validated here: that is the registry's job.
 *
 * Never throws anything but {@link MalformedEnvelopeError}, whatever the input: invalid UTF-8,
 * non-JSON, JSON that is not an object, numbers beyond 2^53, and `__proto__` keys (or a
 * `constructor` key holding a `prototype`, the other prototype-pollution path), which are
 * refused so that no later merge of `data` can pollute a prototype.
 */
export function parseEnvelope(input: Uint8Array | string): EventEnvelope {
  const raw = parseJson(decodeText(input));
  if (!isJsonObject(raw)) throw new MalformedEnvelopeError(`envelope must be a JSON object, got ${preview(raw)}`);
  // Every consumed message comes through here: the attributes are checked without allocating,
  // and the list of issues is worked out only for an envelope that is refused.
  if (!hasValidEnvelopeAttributes(raw)) {
    const details = envelopeAttributeIssues(raw)
      .map((issue) => `${issue.property} ${issue.messages.join(', ')}`)
      .join('; ');
    throw new MalformedEnvelopeError(`malformed envelope: ${details}`);
  }
  const id = raw['id'] as string;
  const correlationid = (raw['correlationid'] as string | undefined) ?? id;
  const causationid = (raw['causationid'] as string | undefined) ?? correlationid;
  const traceparent = raw['traceparent'];
  // Two literals (with and without traceparent) rather than a spread: one shape each, no temporary.
  return isValidTraceparent(traceparent)
    ? {
        specversion: '1.0',
        id,
        source: raw['source'] as string,
        type: raw['type'] as string,
        time: raw['time'] as string,
        subject: raw['subject'] as string,
        datacontenttype: 'application/json',
        data: raw['data'],
        tenantid: raw['tenantid'] as string,
        sequence: raw['sequence'] as number,
        correlationid,
        causationid,
        traceparent,
      }
    : {
        specversion: '1.0',
        id,
        source: raw['source'] as string,
        type: raw['type'] as string,
        time: raw['time'] as string,
        subject: raw['subject'] as string,
        datacontenttype: 'application/json',
        data: raw['data'],
        tenantid: raw['tenantid'] as string,
        sequence: raw['sequence'] as number,
        correlationid,
        causationid,
      };
}

function decodeText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!(input instanceof Uint8Array)) throw new MalformedEnvelopeError(`envelope must be bytes or a string, got ${preview(input)}`);
  if (input.byteLength === 0) throw new MalformedEnvelopeError('envelope is empty');
  try {
    return utf8.decode(input);
  } catch (error) {
    throw new MalformedEnvelopeError('envelope is not valid UTF-8', { cause: error });
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) throw new MalformedEnvelopeError('envelope is empty');
  try {
    // The reviver costs a few times the parse; only text that could spell a dangerous key
    // (directly or through a \u escape) pays for it.
    return mayHideDangerousKey(text) ? JSON.parse(text, refuseDangerousKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof ForbiddenKeyError) throw new MalformedEnvelopeError(`envelope ${error.message}`);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedEnvelopeError(`envelope is not JSON: ${reason}`, { cause: error });
  }
}

function mayHideDangerousKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

function refuseDangerousKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ForbiddenKeyError('contains a "__proto__" key');
  if (key === 'constructor' && isJsonObject(value) && Object.hasOwn(value, 'prototype')) {
    throw new ForbiddenKeyError('contains a "constructor.prototype" key');
  }
  return value;
}
