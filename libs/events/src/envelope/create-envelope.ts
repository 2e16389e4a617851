import type { EventContract } from '../contracts/define-event.js';
import { InvalidEventError } from '../errors.js';
import type { EventEnvelope } from './envelope.js';
import { CLOUDEVENTS_SPEC_VERSION, ENVELOPE_DATA_CONTENT_TYPE, envelopeAttributeIssues } from './envelope-attributes.js';
import { newEventId } from './event-id.js';
import { isValidTraceparent } from './traceparent.js';

/** The event's type: a contract (which also types `data`), or the versioned wire type. */
export type EnvelopeTypeInput<Data extends object> =
  | { readonly contract: EventContract<Data>; readonly type?: never }
  | { readonly type: string; readonly contract?: never };

export type CreateEnvelopeInput<Data extends object> = EnvelopeTypeInput<Data> & {
  /** The payload; not validated here (the registry validates it against its contract). */
  readonly data: Data;
  /** The producing service (`order`). */
  readonly source: string;
  /**
   * The aggregate id (CloudEvents `subject`). Defaults, when a contract is given, to
   * `data[contract.subjectField]`.
   */
  readonly subject?: string;
  readonly tenantId: string;
  /** Per-aggregate sequence, 1-based (assigned by the outbox transaction). */
  readonly sequence: number;
  /** Default: the event's own id (a new chain). */
  readonly correlationId?: string;
  /** Default: the correlation id. */
  readonly causationId?: string;
  /** W3C traceparent of the producing span; omitted when absent. */
  readonly traceparent?: string;
  /** Default: a new UUIDv7. */
  readonly id?: string;
  /** Default: now. */
  readonly time?: string | Date;
};

/**
 * Build a platform envelope (CloudEvents 1.0 + extensions) with a UUIDv7 id.
 * Throws {@link InvalidEventError} listing every bad attribute (tenant, sequence, type, time,
 * traceparent, …), so that a producer bug is refused before anything is stored or sent.
 */
export function createEnvelope<Data extends object>(input: CreateEnvelopeInput<Data>): EventEnvelope<Data> {
  const type = input.contract ? input.contract.type : input.type;
  const id = input.id ?? newEventId();
  const correlationid = input.correlationId ?? id;
  const subject = input.subject ?? subjectFromData(input.contract, input.data);
  const time = input.time instanceof Date ? input.time.toISOString() : (input.time ?? new Date().toISOString());
  const envelope: EventEnvelope<Data> = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id,
    source: input.source,
    type: type as string,
    time,
    subject: subject as string,
    datacontenttype: ENVELOPE_DATA_CONTENT_TYPE,
    data: input.data,
    tenantid: input.tenantId,
    sequence: input.sequence,
    correlationid,
    causationid: input.causationId ?? correlationid,
    ...(input.traceparent !== undefined ? { traceparent: input.traceparent } : {}),
  };
  const issues = envelopeAttributeIssues(envelope as unknown as Record<string, unknown>);
  if (envelope.traceparent !== undefined && !isValidTraceparent(envelope.traceparent)) {
    issues.push({ property: 'traceparent', messages: ['must be a W3C traceparent 00-<32 hex>-<16 hex>-<2 hex>'] });
  }
  if (issues.length > 0) throw new InvalidEventError(String(type), issues);
  return envelope;
}

function subjectFromData(contract: EventContract | undefined, data: object): string | undefined {
  if (!contract) return undefined;
  const value = (data as Record<string, unknown>)[contract.subjectField];
  return typeof value === 'string' ? value : undefined;
}
