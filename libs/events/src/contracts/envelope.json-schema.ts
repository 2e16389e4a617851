import { CLOUDEVENTS_SPEC_VERSION, ENVELOPE_DATA_CONTENT_TYPE, MAX_ATTRIBUTE_LENGTH } from '../envelope/envelope-attributes.js';
import { TENANT_ID_PATTERN } from '../envelope/envelope.js';
import type { JsonSchema } from './json-schema.types.js';

// The media type of a message (the envelope in CloudEvents structured JSON mode), beside the
// envelope's schema so that the documents describing messages need nothing else of the envelope.
export { CLOUDEVENTS_JSON_MEDIA_TYPE } from '../envelope/envelope-attributes.js';

/** The `traceparent` attribute, also a message header. */
export const TRACEPARENT_SCHEMA: JsonSchema = {
  type: 'string',
  pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
  description: 'W3C trace context of the producing span',
};
const BOUNDED_STRING: JsonSchema = { type: 'string', minLength: 1, maxLength: MAX_ATTRIBUTE_LENGTH };

/** The envelope every message is wrapped in: CloudEvents 1.0 structured JSON plus the platform's extensions. */
export function envelopeJsonSchema(): JsonSchema {
  return {
    type: 'object',
    description:
      'CloudEvents 1.0, structured JSON mode, with the platform extension attributes tenantid, sequence, correlationid, causationid and traceparent.',
    required: [
      'specversion',
      'id',
      'source',
      'type',
      'time',
      'subject',
      'datacontenttype',
      'data',
      'tenantid',
      'sequence',
      'correlationid',
      'causationid',
    ],
    properties: {
      specversion: { type: 'string', const: CLOUDEVENTS_SPEC_VERSION },
      id: { type: 'string', format: 'uuid', description: 'UUIDv7, unique per event; also the Nats-Msg-Id header (JetStream de-duplication)' },
      source: { ...BOUNDED_STRING, description: 'The producing service (order, payment, …)' },
      type: { type: 'string', pattern: '^[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*\\.v[1-9][0-9]*$', description: 'Versioned event type' },
      time: { type: 'string', format: 'date-time', description: 'When the fact happened (RFC 3339)' },
      subject: { ...BOUNDED_STRING, description: 'The aggregate id: the unit of ordering' },
      datacontenttype: { type: 'string', const: ENVELOPE_DATA_CONTENT_TYPE },
      data: { type: 'object' },
      tenantid: { type: 'string', pattern: TENANT_ID_PATTERN.source, description: 'Tenant id, also the second token of the subject' },
      sequence: {
        type: 'integer',
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Per-aggregate sequence, 1-based and gap-free per (source, tenant, subject)',
      },
      correlationid: { ...BOUNDED_STRING, description: 'Id of the request or flow that started the chain of events' },
      causationid: { ...BOUNDED_STRING, description: 'Id of the event or request that directly caused this one' },
      traceparent: TRACEPARENT_SCHEMA,
    },
  };
}
