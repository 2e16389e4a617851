import { DeadLetterReason } from '../../dlq/dead-letter.js';
import type { EventEnvelope } from '../../envelope/envelope.js';
import { parseEnvelope } from '../../envelope/parse-envelope.js';
import { MalformedEnvelopeError } from '../../errors.js';
import { Rejection, type InboundMessage } from './types.js';

/** Parse the envelope; undefined when the payload is not one (the processor dead-letters it). */
export function tryDecode(message: InboundMessage): EventEnvelope | undefined {
  try {
    return parseEnvelope(message.data);
  } catch {
    return undefined;
  }
}

/**
 * Parse the envelope, or the `malformed_envelope` rejection saying why it is not one. For a
 * message {@link tryDecode} refused: parsed again to name the reason, off the common path.
 */
export function decode(message: InboundMessage): EventEnvelope | Rejection {
  try {
    return parseEnvelope(message.data);
  } catch (error) {
    const malformed = error instanceof MalformedEnvelopeError ? error : new MalformedEnvelopeError(String(error), { cause: error });
    return new Rejection(DeadLetterReason.MalformedEnvelope, malformed);
  }
}
