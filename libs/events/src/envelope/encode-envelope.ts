import type { EventEnvelope } from './envelope.js';

const utf8 = new TextEncoder();

/**
 * Serialise an envelope as a CloudEvents structured-mode JSON message body (UTF-8). It does
 * not validate: build envelopes with `createEnvelope`, which does.
 */
export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  return utf8.encode(JSON.stringify(envelope));
}
