import { DeadLetterReason } from '../../dlq/dead-letter.js';
import type { EventEnvelope } from '../../envelope/envelope.js';
import { PermanentError } from '../../errors.js';
import { Rejection, type ConsumerEventRegistry, type InboundMessage } from './types.js';

/**
 * Binds an envelope to the subject it arrived on: the subject of its type and tenant
 * (`<domain>.<tenant>.<event>`), as its contract declares it. The NATS server's publish
 * permissions are per subject, so the subject, not the body, says who sent it.
 */
export class SubjectCheck {
  constructor(private readonly registry: ConsumerEventRegistry) {}

  /** The `subject_mismatch` rejection of an envelope that arrived elsewhere; undefined when it is where it belongs. */
  check(message: InboundMessage, envelope: EventEnvelope): Rejection | undefined {
    const expected = this.subjectOf(envelope.type, envelope.tenantid);
    if (message.subject === expected) return undefined;
    const where = expected === undefined ? `no subject domain is declared for ${envelope.type}` : `${envelope.type} of tenant ${envelope.tenantid} belongs on ${expected}`;
    return new Rejection(DeadLetterReason.SubjectMismatch, new PermanentError(`${where}; it arrived on ${message.subject}`));
  }

  private subjectOf(type: string, tenant: string): string | undefined {
    try {
      return this.registry.subjectOf(type, tenant);
    } catch {
      return undefined;
    }
  }
}
