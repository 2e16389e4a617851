import 'reflect-metadata';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import {
  CLOUDEVENTS_JSON_MEDIA_TYPE,
  CLOUDEVENTS_SPEC_VERSION,
  ENVELOPE_DATA_CONTENT_TYPE,
  MAX_ATTRIBUTE_LENGTH,
} from '../envelope/envelope-attributes.js';
import { TENANT_ID_PATTERN } from '../envelope/envelope.js';
import { transformerStorage } from './class-transformer-storage.js';
import { IS_RFC3339_TIMESTAMP } from './contract.decorators.js';
import type { EventContract, PayloadClass } from './define-event.js';
import type { EventRegistry } from './registry.js';

/** A JSON Schema (draft-07, the dialect AsyncAPI 3.0 schemas extend) as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';
const DEFINITIONS_PREFIX = '#/definitions/';
const SCHEMA_OPTIONS = {
  classTransformerMetadataStorage: transformerStorage,
  refPointerPrefix: DEFINITIONS_PREFIX,
  additionalConverters: {
    [IS_RFC3339_TIMESTAMP]: { type: 'string' as const, format: 'date-time' },
  },
};

/**
 * The JSON Schema of every registered event's `data`, keyed by versioned type. Each schema is
 * self-contained: nested payload classes are inlined (no `$ref`), and every object forbids
 * additional properties, as the registry's validation does.
 */
export function generateJsonSchemas(registry: EventRegistry): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const contract of registry.list()) {
    schemas[contract.type] = {
      $schema: JSON_SCHEMA_DIALECT,
      title: contract.type,
      description: contract.description,
      ...payloadSchema(contract),
    };
  }
  return schemas;
}

/** The JSON Schema of one contract's payload class, nested classes inlined. */
export function payloadSchema(contract: EventContract): JsonSchema {
  const classes = reachableClasses(contract.payload, contract.type);
  const byName = new Map<string, JsonSchema>();
  for (const cls of classes) byName.set(cls.name, targetConstructorToSchema(cls, SCHEMA_OPTIONS) as JsonSchema);
  return closeObjects(inlineRefs(byName.get(contract.payload.name) as JsonSchema, byName, [])) as JsonSchema;
}

/** The payload class and every class nested in it (through `@ValidateNested` + `@Type`). */
function reachableClasses(root: PayloadClass, type: string): PayloadClass[] {
  const found = new Map<string, PayloadClass>();
  const visit = (cls: PayloadClass): void => {
    const known = found.get(cls.name);
    if (known === cls) return;
    if (known) throw new TypeError(`contract ${type}: two nested classes are named ${cls.name}; JSON Schema needs unique names`);
    found.set(cls.name, cls);
    const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
    for (const meta of metadatas) {
      if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
      const property = meta.propertyName;
      const typeMeta = transformerStorage.findTypeMetadata(cls, property);
      const nested: unknown = typeMeta ? typeMeta.typeFunction() : Reflect.getMetadata('design:type', cls.prototype, property);
      if (typeof nested !== 'function' || nested === Array || nested === Object) {
        throw new TypeError(`contract ${type}: cannot tell the class of ${cls.name}.${property}; add @Type(() => TheClass)`);
      }
      visit(nested as PayloadClass);
    }
  };
  visit(root);
  return [...found.values()];
}

function inlineRefs(schema: unknown, byName: ReadonlyMap<string, JsonSchema>, stack: readonly string[]): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineRefs(item, byName, stack));
  if (typeof schema !== 'object' || schema === null) return schema;
  const { $ref, ...rest } = schema as JsonSchema;
  const out: JsonSchema = {};
  if (typeof $ref === 'string' && $ref.startsWith(DEFINITIONS_PREFIX)) {
    const name = $ref.slice(DEFINITIONS_PREFIX.length);
    const target = byName.get(name);
    if (!target) throw new TypeError(`unresolved schema reference ${$ref}`);
    if (stack.includes(name)) throw new TypeError(`recursive payload classes cannot be inlined: ${[...stack, name].join(' → ')}`);
    Object.assign(out, inlineRefs(target, byName, [...stack, name]));
  } else if ($ref !== undefined) {
    out['$ref'] = $ref;
  }
  for (const [keyword, value] of Object.entries(rest)) out[keyword] = inlineRefs(value, byName, stack);
  return out;
}

/** `additionalProperties: false` on every object with declared properties (forbidNonWhitelisted). */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) out[keyword] = closeObjects(value);
  if (isObjectWithProperties(out)) out['additionalProperties'] = false;
  return out;
}

function isObjectWithProperties(schema: JsonSchema): boolean {
  return typeof schema['properties'] === 'object' && schema['properties'] !== null && !('additionalProperties' in schema);
}

// ---------------------------------------------------------------------------------------------
// AsyncAPI

export interface AsyncApiOptions {
  /** `info.title`. Default `Platform events`. */
  readonly title?: string;
  /** `info.version` of the document. Default `1.0.0`. */
  readonly version?: string;
  /** Servers to list; default one local `nats://127.0.0.1:4222`. */
  readonly servers?: Readonly<Record<string, { readonly host: string; readonly description?: string }>>;
}

const ENVELOPE_SCHEMA_NAME = 'CloudEventsEnvelope';
const TRACEPARENT_SCHEMA: JsonSchema = {
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

// ---------------------------------------------------------------------------------------------
// Checked-in output

/**
 * The generated contract documents as file contents keyed by path relative to the output
 * folder (`docs/contracts`): `asyncapi.json` and `schemas/<type>.json`. Keys sorted at every
 * level, 2-space indentation, trailing newline, so that regenerating an unchanged catalogue
 * changes no byte.
 */
export function renderContractDocuments(registry: EventRegistry, options?: AsyncApiOptions): Record<string, string> {
  const files: Record<string, string> = { 'asyncapi.json': toStableJson(generateAsyncApi(registry, options)) };
  for (const [type, schema] of Object.entries(generateJsonSchemas(registry))) files[`schemas/${type}.json`] = toStableJson(schema);
  return files;
}

/** JSON with object keys sorted recursively, 2-space indentation and a trailing newline. */
export function toStableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: JsonSchema = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as JsonSchema)[key]);
  return sorted;
}
