import { envelopeJsonSchema, generateJsonSchemas, TENANT_ID_PATTERN, type EventRegistry, type JsonSchema } from '@platform/events';
import { CLOUDEVENTS_JSON_MEDIA_TYPE, TRACEPARENT_SCHEMA } from '@platform/events/internal';

// Documentation tooling, off the runtime path (a service never imports @platform/events-ops): it
// reads only the generic library's JSON Schemas and public pieces.

export interface AsyncApiOptions {
  /** `info.title`. Default `Platform events`. */
  readonly title?: string;
  /** `info.version` of the document. Default `1.0.0`. */
  readonly version?: string;
  /** Servers to list; default one local `nats://127.0.0.1:4222`. */
  readonly servers?: Readonly<Record<string, { readonly host: string; readonly description?: string }>>;
}

const ENVELOPE_SCHEMA_NAME = 'CloudEventsEnvelope';

/**
 * An AsyncAPI 3.0 document for the registry: one channel per subject pattern
 * (`orders.{tenant}.created`) holding every version of the event, one message per versioned
 * type whose payload is the envelope schema with that type's `data` schema, and one `send`
 * operation per channel for its producer. Deterministic: the same registry gives the same
 * document.
 */
export function generateAsyncApi(registry: EventRegistry, options: AsyncApiOptions = {}): JsonSchema {
  const dataSchemas = generateJsonSchemas(registry);
  const schemas: JsonSchema = { [ENVELOPE_SCHEMA_NAME]: envelopeJsonSchema() };
  const messages: JsonSchema = {};
  const channels: Record<string, JsonSchema & { messages: JsonSchema }> = {};
  const operations: JsonSchema = {};

  for (const contract of registry.list()) {
    const { $schema: _dialect, ...dataSchema } = dataSchemas[contract.type] as JsonSchema;
    schemas[contract.type] = dataSchema;
    const latest = registry.latest(contract.unversioned);
    messages[contract.type] = {
      name: contract.type,
      title: `${contract.unversioned} v${contract.version}`,
      summary: contract.description,
      ...(latest !== contract
        ? { description: `Superseded by ${latest.type}; consumers of the later version receive it upcast.` }
        : {}),
      contentType: CLOUDEVENTS_JSON_MEDIA_TYPE,
      correlationId: { location: '$message.payload#/correlationid', description: 'The flow the event belongs to' },
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string', format: 'uuid', description: 'The envelope id (JetStream de-duplication)' },
          traceparent: TRACEPARENT_SCHEMA,
        },
      },
      payload: {
        allOf: [
          { $ref: `#/components/schemas/${ENVELOPE_SCHEMA_NAME}` },
          {
            type: 'object',
            properties: {
              type: { type: 'string', const: contract.type },
              subject: { type: 'string', description: `The ${contract.aggregate} id (data.${contract.subjectField})` },
              data: { $ref: `#/components/schemas/${contract.type}` },
            },
          },
        ],
      },
      tags: [{ name: contract.producer }],
    };

    const channelId = `${contract.domain}.${contract.name}`;
    const channel = (channels[channelId] ??= {
      address: `${contract.domain}.{tenant}.${contract.name}`,
      title: contract.unversioned,
      description: `Every version of ${contract.unversioned}, for one tenant. The version is in the envelope type, not in the subject.`,
      parameters: { tenant: { description: `Tenant id (${TENANT_ID_PATTERN.source})`, examples: ['demo'] } },
      messages: {},
    });
    channel.messages[contract.type] = { $ref: `#/components/messages/${contract.type}` };

    const operationId = `${contract.unversioned}.publish`;
    operations[operationId] = {
      action: 'send',
      title: `The ${contract.producer} service publishes ${contract.unversioned}`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: Object.keys(channel.messages).map((type) => ({ $ref: `#/channels/${channelId}/messages/${type}` })),
      tags: [{ name: contract.producer }],
    };
  }

  const servers = options.servers ?? { local: { host: '127.0.0.1:4222', description: 'Local nats-server with JetStream' } };
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title ?? 'Platform events',
      version: options.version ?? '1.0.0',
      description:
        'Events of the reference platform on NATS JetStream, generated from the contracts in libs/events. ' +
        'Subjects are <domain>.<tenant>.<event>; every message is a CloudEvents 1.0 JSON envelope whose data follows the versioned contract.',
    },
    defaultContentType: CLOUDEVENTS_JSON_MEDIA_TYPE,
    servers: Object.fromEntries(
      Object.entries(servers).map(([id, server]) => [id, { host: server.host, protocol: 'nats', ...(server.description ? { description: server.description } : {}) }]),
    ),
    channels,
    operations,
    components: { schemas, messages },
  };
}
