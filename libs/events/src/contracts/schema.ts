import 'reflect-metadata';
import { isDeepStrictEqual } from 'node:util';
import { TransformationType } from 'class-transformer';
import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  ARRAY_NOT_EMPTY,
  EQUALS,
  getMetadataStorage,
  IS_ARRAY,
  IS_BOOLEAN,
  IS_IN,
  IS_INT,
  IS_ISO4217_CURRENCY_CODE,
  IS_LENGTH,
  IS_NEGATIVE,
  IS_NOT_EMPTY,
  IS_NUMBER,
  IS_OBJECT,
  IS_POSITIVE,
  IS_STRING,
  IS_UUID,
  isISO4217CurrencyCode,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
  ValidationTypes,
} from 'class-validator';
import { validationMetadataArrayToSchemas } from 'class-validator-jsonschema';
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

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';
const DEFINITIONS_PREFIX = '#/definitions/';

/**
 * Vendor keyword on a schema node that class-validator checks in a way JSON Schema cannot
 * express; its value lists what (`["isEmail"]`, `["name: @Transform changes the value …"]`).
 * JSON Schema tools ignore it. The registry's fast validator (ajv, see PayloadValidator) rejects
 * every value that reaches such a node, so that class-validator decides those payloads.
 */
export const CLASS_VALIDATOR_ONLY = 'x-class-validator-only';

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
  return payloadClassSchema(contract.payload, `contract ${contract.type}`);
}

/**
 * The JSON Schema of a payload class, nested classes inlined: exactly what class-validator
 * accepts (`plainToInstance`, then `validateSync` with `whitelist`, `forbidNonWhitelisted` and
 * `forbidUnknownValues`), for plain JSON data. It is what the registry's fast validator runs,
 * so it must never accept a payload class-validator refuses:
 *
 * - each constraint is translated by name from a table of those whose meaning JSON Schema says
 *   exactly (or more strictly, where noted); any other constraint becomes a
 *   {@link CLASS_VALIDATOR_ONLY} node, as does a class that class-transformer reshapes before
 *   validation (`@Transform`, `@Expose`, `@Exclude`, `@Type` on a plain value, initializers);
 * - the constraints of a property are intersected (`allOf` where two cannot be merged), never
 *   overwritten by one another;
 * - a property is optional only when class-validator skips it while absent (`@ValidateIf`
 *   conditions such as `Optional()`'s, which read nothing but the property);
 * - `@JSONSchema` (`Describe`) annotations are copied; any other keyword it adds is intersected
 *   too, so it can only narrow what the schema accepts.
 *
 * Throws a `TypeError` for classes it cannot describe at all: nested validation without
 * `@Type(() => TheClass)`, two nested classes with one name, recursive classes.
 */
export function payloadClassSchema(root: PayloadClass, label = `payload class ${root.name}`): JsonSchema {
  const classes = reachableClasses(root, label);
  const byName = new Map<string, JsonSchema>();
  for (const cls of classes) byName.set(cls.name, classSchema(cls));
  return closeObjects(inlineRefs(byName.get(root.name) as JsonSchema, byName, [])) as JsonSchema;
}

function validationMetadatas(cls: PayloadClass): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
}

/** The payload class and every class nested in it (through `@ValidateNested` + `@Type`). */
function reachableClasses(root: PayloadClass, label: string): PayloadClass[] {
  const found = new Map<string, PayloadClass>();
  const visit = (cls: PayloadClass): void => {
    const known = found.get(cls.name);
    if (known === cls) return;
    if (known) throw new TypeError(`${label}: two nested classes are named ${cls.name}; JSON Schema needs unique names`);
    found.set(cls.name, cls);
    for (const meta of validationMetadatas(cls)) {
      if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
      // Without @Type, class-transformer leaves a nested value a plain object, which
      // class-validator then refuses as an unknown value: no payload could pass.
      const nested: unknown = transformerStorage.findTypeMetadata(cls, meta.propertyName)?.typeFunction();
      if (typeof nested !== 'function' || nested === Array || nested === Object) {
        throw new TypeError(`${label}: cannot tell the class of ${cls.name}.${meta.propertyName}; add @Type(() => TheClass)`);
      }
      visit(nested as PayloadClass);
    }
  };
  visit(root);
  return [...found.values()];
}

// ---------------------------------------------------------------------------------------------
// One class

const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', '$comment', 'deprecated', 'readOnly', 'writeOnly']);

function classSchema(cls: PayloadClass): JsonSchema {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const meta of validationMetadatas(cls)) {
    const list = byProperty.get(meta.propertyName) ?? [];
    list.push(meta);
    byProperty.set(meta.propertyName, list);
  }
  const notExpressible = classTransformerReshaping(cls, [...byProperty.keys()]);
  if (byProperty.size === 0) notExpressible.push('no validation metadata: class-validator refuses an instance of an unknown class');
  const decorations = jsonSchemaDecorations(cls, [...byProperty.keys()]);

  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, metas] of byProperty) {
    const parts: JsonSchema[] = [];
    let conditional = false;
    let skippedWhenAbsent = false;
    for (const meta of metas) {
      if (meta.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        conditional = true;
        if (skipsWhenAbsent(meta.constraints[0], name)) skippedWhenAbsent = true;
      } else {
        parts.push(constraintSchema(cls, meta));
      }
    }
    // class-validator validates a property only when all its @ValidateIf conditions hold; JSON
    // Schema can say "optional" (skipped when absent), not a condition on other fields.
    if (conditional && !skippedWhenAbsent) notExpressible.push(`${name}: validated only when an @ValidateIf condition holds`);
    if (!conditional) required.push(name);
    properties[name] = decorate(combine(parts), decorations.properties[name]);
  }

  const schema = decorate({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) }, decorations.self);
  if (notExpressible.length > 0) schema[CLASS_VALIDATOR_ONLY] = notExpressible;
  return schema;
}

/**
 * What class-transformer does to an instance of `cls` that JSON Schema cannot follow: every
 * reason makes the whole class {@link CLASS_VALIDATOR_ONLY}.
 */
function classTransformerReshaping(cls: PayloadClass, declared: readonly string[]): string[] {
  const reasons: string[] = [];
  if (transformerStorage.getStrategy(cls) !== 'none') reasons.push('class-transformer @Expose/@Exclude on the class choose the keys copied');
  for (const meta of [...transformerStorage.getExposedMetadatas(cls), ...transformerStorage.getExcludedMetadatas(cls)]) {
    if (meta.propertyName) reasons.push(`${meta.propertyName}: @Expose/@Exclude choose the keys class-transformer copies`);
  }
  const nested = new Set(validationMetadatas(cls).filter((meta) => meta.type === ValidationTypes.NESTED_VALIDATION).map((meta) => meta.propertyName));
  for (const name of declared) {
    if (transformerStorage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length > 0) {
      reasons.push(`${name}: @Transform changes the value before it is validated`);
    }
    const type = transformerStorage.findTypeMetadata(cls, name);
    if (type && !nested.has(name)) reasons.push(`${name}: @Type converts the value before it is validated`);
    if (type?.options?.discriminator) reasons.push(`${name}: @Type with a discriminator picks the class from the value`);
  }
  // class-validator validates the instance plainToInstance made: `new cls()` with the payload's
  // keys copied in. A value the instance has before (an initializer, a prototype member, which
  // class-transformer also refuses to overwrite) is validated where the payload has none, and a
  // field without decorators is refused by the whitelist in every payload.
  let blank: Record<string, unknown> | undefined;
  try {
    blank = new cls() as Record<string, unknown>;
  } catch (error) {
    reasons.push(`the class cannot be instantiated without arguments (${error instanceof Error ? error.message : String(error)})`);
  }
  if (blank) {
    const known = new Set(declared);
    for (const key of Object.keys(blank)) {
      if (!known.has(key)) reasons.push(`${key}: a field without validation decorators, which class-validator's whitelist refuses`);
    }
    for (const name of declared) {
      if (blank[name] !== undefined || name in cls.prototype) reasons.push(`${name}: has a value before the payload's is copied in`);
    }
  }
  return reasons;
}

/**
 * Whether class-validator skips the property when it is absent: the condition returns `false`
 * for an `undefined` value reading nothing but the (undefined) property itself. That covers
 * `Optional()` (`value !== undefined`) and class-validator's `@IsOptional()`; a condition
 * that reads anything else (other fields) cannot be said in JSON Schema.
 */
function skipsWhenAbsent(condition: unknown, property: string): boolean {
  if (typeof condition !== 'function') return false;
  const refuse = (): never => {
    throw new Error('the condition reads more than the property');
  };
  const probe = new Proxy(Object.create(null) as object, {
    get: (_target, key) => (key === property ? undefined : refuse()),
    has: refuse,
    ownKeys: refuse,
    getOwnPropertyDescriptor: refuse,
    getPrototypeOf: refuse,
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
  try {
    return (condition as (object: unknown, value: unknown) => unknown)(probe, undefined) === false;
  } catch {
    return false;
  }
}

/** `@JSONSchema()` (as `Describe`) of each property and of the class, through class-validator-jsonschema. */
function jsonSchemaDecorations(cls: PayloadClass, names: readonly string[]): { properties: Record<string, JsonSchema>; self: JsonSchema } {
  const NO_CONSTRAINT = 'x-no-constraint';
  const placeholders = names.map((propertyName) => ({ type: NO_CONSTRAINT, target: cls, propertyName, constraints: [], each: false }));
  const schema = (validationMetadataArrayToSchemas(placeholders as never, { additionalConverters: { [NO_CONSTRAINT]: {} } })[cls.name] ?? {}) as JsonSchema;
  const { properties, type: _type, required: _required, ...self } = schema;
  return { properties: (properties ?? {}) as Record<string, JsonSchema>, self };
}

/** `schema` with a decoration's annotations copied and its other keywords intersected. */
function decorate(schema: JsonSchema, decoration: JsonSchema | undefined): JsonSchema {
  if (!decoration) return schema;
  const annotations: JsonSchema = {};
  const assertions: JsonSchema = {};
  for (const [keyword, value] of Object.entries(decoration)) (ANNOTATIONS.has(keyword) ? annotations : assertions)[keyword] = value;
  return { ...(Object.keys(assertions).length > 0 ? combine([schema, assertions]) : schema), ...annotations };
}

// ---------------------------------------------------------------------------------------------
// One constraint

function constraintSchema(cls: PayloadClass, meta: ValidationMetadata): JsonSchema {
  const each = (schema: JsonSchema): JsonSchema => (meta.each ? { type: 'array', items: schema } : schema);
  switch (meta.type) {
    case ValidationTypes.WHITELIST: // @Allow(): no constraint
      return {};
    case ValidationTypes.IS_DEFINED: // not undefined (required) and not null
      return each({ not: { type: 'null' } });
    case ValidationTypes.NESTED_VALIDATION: {
      // An object validated as an instance of its @Type class (reachableClasses checked it has one).
      const nested = transformerStorage.findTypeMetadata(cls, meta.propertyName)!.typeFunction() as PayloadClass;
      return each({ $ref: `${DEFINITIONS_PREFIX}${nested.name}` });
    }
    case ValidationTypes.CUSTOM_VALIDATION: {
      const translate = meta.name === undefined ? undefined : CONSTRAINTS.get(meta.name);
      const schema = translate?.(meta.constraints ?? []);
      return each(schema ?? { [CLASS_VALIDATOR_ONLY]: [meta.name ?? meta.constraintCls?.name ?? 'a custom constraint'] });
    }
    default:
      return { [CLASS_VALIDATOR_ONLY]: [meta.type] };
  }
}

/**
 * JSON Schema of class-validator's constraints, by registered name, given their constraint
 * arguments; `undefined` where an argument makes the meaning inexpressible. Each says what
 * the class-validator function checks, for the values JSON can carry. (A custom decorator
 * registered under one of these names would be misread: names are how class-validator and
 * class-validator-jsonschema know constraints.)
 */
const CONSTRAINTS = new Map<string, (constraints: readonly unknown[]) => JsonSchema | undefined>([
  [IS_STRING, () => ({ type: 'string' })],
  [IS_BOOLEAN, () => ({ type: 'boolean' })],
  // Number.isInteger. (The fast validator runs ajv with strictNumbers: integer and number exclude NaN and ±Infinity.)
  [IS_INT, () => ({ type: 'integer' })],
  // isNumber without options refuses NaN and ±Infinity, as JSON Schema numbers do.
  [IS_NUMBER, ([options]) => (isNoOptions(options) ? { type: 'number' } : undefined)],
  // typeof number and >= / <= the limit. Stricter on ±Infinity (class-validator's Min alone lets
  // Infinity through): that only sends such payloads to class-validator.
  [MIN, ([limit]) => (isFiniteNumber(limit) ? { type: 'number', minimum: limit } : undefined)],
  [MAX, ([limit]) => (isFiniteNumber(limit) ? { type: 'number', maximum: limit } : undefined)],
  [IS_POSITIVE, () => ({ type: 'number', exclusiveMinimum: 0 })],
  [IS_NEGATIVE, () => ({ type: 'number', exclusiveMaximum: 0 })],
  [IS_LENGTH, ([min, max]) => stringLength(min, max)],
  [MIN_LENGTH, ([min]) => stringLength(min, undefined)],
  [MAX_LENGTH, ([max]) => stringLength(0, max)],
  [MATCHES, ([pattern, modifiers]) => regexSchema(pattern, modifiers)],
  [IS_IN, ([values]) => enumSchema(values)],
  [EQUALS, ([value]) => (isJsonPrimitive(value) ? { const: value } : undefined)],
  // value !== '' && value !== null && value !== undefined (absent: the property is required)
  [IS_NOT_EMPTY, () => ({ not: { enum: ['', null] } })],
  [IS_ARRAY, () => ({ type: 'array' })],
  [ARRAY_NOT_EMPTY, () => ({ type: 'array', minItems: 1 })],
  [ARRAY_MIN_SIZE, ([size]) => (isCount(size) ? { type: 'array', minItems: size } : undefined)],
  [ARRAY_MAX_SIZE, ([size]) => (isCount(size) ? { type: 'array', maxItems: size } : undefined)],
  // not null, typeof object, not an array. (class-validator also takes functions, which JSON has not.)
  [IS_OBJECT, () => ({ type: 'object' })],
  [IS_UUID, ([version]) => (version === undefined || version === null || version === 'all' ? { type: 'string', format: 'uuid', pattern: UUID_PATTERN } : undefined)],
  // isISO4217 compares case-insensitively; the schema lists the codes in upper case, stricter
  // for a lone @IsISO4217CurrencyCode() (IsCurrencyCode also matches ^[A-Z]{3}$).
  [IS_ISO4217_CURRENCY_CODE, () => ({ type: 'string', enum: iso4217Codes() })],
  // The fast validator's date-time format is isRfc3339Timestamp itself.
  [IS_RFC3339_TIMESTAMP, () => ({ type: 'string', format: 'date-time' })],
]);

/** validator.js's `all` UUID (versions 1–8 with the RFC 4122 variant, nil, max), case-insensitive; the format check is class-validator's isUUID itself. */
const UUID_PATTERN =
  '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$';

const VARIATION_SELECTORS = '\\uFE0E\\uFE0F';
/**
 * One unit of validator.js's string length: a code point (a surrogate pair is one) that also
 * absorbs one variation selector (U+FE0E, U+FE0F) right after it, or a variation selector
 * standing alone. Written so that a string splits into units one way only, and so that it
 * reads the same with or without the `u` flag.
 */
const LENGTH_UNIT =
  `(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|[^\\uD800-\\uDBFF${VARIATION_SELECTORS}])` +
  `(?:[${VARIATION_SELECTORS}]|(?![${VARIATION_SELECTORS}]))|[${VARIATION_SELECTORS}]`;
const AT_LEAST_PREFIX = `^(?:${LENGTH_UNIT}){`;

/**
 * class-validator's Length/MinLength/MaxLength (validator.js isLength) count a character
 * followed by a variation selector as one; JSON Schema's minLength/maxLength count code points.
 * So maxLength is at most stricter (a string with variation selectors near the limit goes to
 * class-validator), and a minimum above 1 adds a pattern that counts as validator.js does
 * (a minimum of 1 is the same: any non-empty string).
 */
function stringLength(min: unknown, max: unknown): JsonSchema | undefined {
  const low = min || 0; // validator.js: `options.min || 0`
  if (!isCount(low) || (max !== undefined && !isCount(max))) return undefined;
  const schema: JsonSchema = { type: 'string' };
  if (low > 0) schema['minLength'] = low;
  if (max !== undefined) schema['maxLength'] = max;
  if (low > 1) schema['allOf'] = [{ pattern: `${AT_LEAST_PREFIX}${low}}` }];
  return schema;
}

/**
 * validator.js matches: `!!value.match(regex)`. A JSON Schema pattern is the same regular
 * expression without flags (the fast validator compiles patterns without `u`, as validator.js
 * does); `g` and `d` change nothing here, any other flag changes what matches.
 */
function regexSchema(pattern: unknown, modifiers: unknown): JsonSchema | undefined {
  let regex: RegExp;
  try {
    regex = pattern instanceof RegExp ? pattern : new RegExp(String(pattern), modifiers === undefined ? undefined : String(modifiers));
  } catch {
    return undefined;
  }
  return /^[gd]*$/.test(regex.flags) ? { type: 'string', pattern: regex.source } : undefined;
}

/** isIn: `values.some((v) => v === value)`, so only primitives can match (never NaN). */
function enumSchema(values: unknown): JsonSchema | undefined {
  if (!Array.isArray(values)) return { not: {} }; // class-validator refuses every value
  if (!values.every((value) => isJsonPrimitive(value) || Number.isNaN(value))) return undefined;
  const members = values.filter((value) => !Number.isNaN(value));
  if (members.length === 0) return { not: {} };
  const types = new Set(members.map((value) => (value === null ? 'null' : typeof value)));
  return types.size === 1 && !types.has('null') ? { type: [...types][0], enum: members } : { enum: members };
}

let currencyCodes: readonly string[] | undefined;
/** The upper-case codes class-validator's isISO4217CurrencyCode accepts, asked of it for AAA…ZZZ. */
function iso4217Codes(): string[] {
  if (!currencyCodes) {
    const codes: string[] = [];
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const a of letters) for (const b of letters) for (const c of letters) if (isISO4217CurrencyCode(a + b + c)) codes.push(a + b + c);
    currencyCodes = codes;
  }
  return [...currencyCodes];
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A value JSON can carry that `===` compares like JSON Schema's equality. */
function isJsonPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
}

function isNoOptions(options: unknown): boolean {
  return options === undefined || (typeof options === 'object' && options !== null && Object.values(options).every((option) => option === undefined || option === false));
}

// ---------------------------------------------------------------------------------------------
// Assembling

const LOWER_BOUNDS = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']);
const UPPER_BOUNDS = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']);

/**
 * The intersection of schemas: keyword by keyword, a keyword only one has is kept, bounds
 * take the tighter, `integer` ∩ `number` is `integer`, array schemas of items intersect, and
 * any other clash goes into `allOf`. Never drops a constraint.
 */
function combine(parts: readonly JsonSchema[]): JsonSchema {
  const out: JsonSchema = {};
  const clashes: JsonSchema[] = [];
  for (const part of parts) {
    for (const [keyword, value] of Object.entries(part)) {
      const current = out[keyword];
      if (!(keyword in out)) out[keyword] = value;
      else if (isDeepStrictEqual(current, value)) continue;
      else if (keyword === 'type' && isNumericType(current) && isNumericType(value)) out[keyword] = 'integer';
      else if (LOWER_BOUNDS.has(keyword) && typeof current === 'number' && typeof value === 'number') out[keyword] = Math.max(current, value);
      else if (UPPER_BOUNDS.has(keyword) && typeof current === 'number' && typeof value === 'number') out[keyword] = Math.min(current, value);
      else if (keyword === 'items' && isSchemaObject(current) && isSchemaObject(value)) out[keyword] = combine([current, value]);
      else if ((keyword === 'allOf' || keyword === CLASS_VALIDATOR_ONLY) && Array.isArray(current) && Array.isArray(value)) out[keyword] = [...current, ...value];
      else clashes.push({ [keyword]: value });
    }
  }
  if (clashes.length > 0) out['allOf'] = [...((out['allOf'] as JsonSchema[] | undefined) ?? []), ...clashes];
  dropImpliedLengthPatterns(out);
  return out;
}

/** An `enum` of strings without variation selectors already fixes their length: the length pattern adds nothing. */
function dropImpliedLengthPatterns(schema: JsonSchema): void {
  const members = schema['enum'];
  const allOf = schema['allOf'];
  if (!Array.isArray(members) || !Array.isArray(allOf)) return;
  if (!members.every((member) => typeof member === 'string' && !/[\uFE0E\uFE0F]/.test(member))) return;
  const kept = allOf.filter((entry: JsonSchema) => !(Object.keys(entry).length === 1 && String(entry['pattern']).startsWith(AT_LEAST_PREFIX)));
  if (kept.length > 0) schema['allOf'] = kept;
  else delete schema['allOf'];
}

function isNumericType(type: unknown): boolean {
  return type === 'number' || type === 'integer';
}

function isSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replace each `$ref` by its class schema, intersected with what the property adds (its annotations win). */
function inlineRefs(schema: unknown, byName: ReadonlyMap<string, JsonSchema>, stack: readonly string[]): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineRefs(item, byName, stack));
  if (typeof schema !== 'object' || schema === null) return schema;
  const { $ref, ...rest } = schema as JsonSchema;
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(rest)) out[keyword] = inlineRefs(value, byName, stack);
  if (typeof $ref !== 'string' || !$ref.startsWith(DEFINITIONS_PREFIX)) return $ref === undefined ? out : { ...out, $ref };
  const name = $ref.slice(DEFINITIONS_PREFIX.length);
  const target = byName.get(name);
  if (!target) throw new TypeError(`unresolved schema reference ${$ref}`);
  if (stack.includes(name)) throw new TypeError(`recursive payload classes cannot be inlined: ${[...stack, name].join(' → ')}`);
  return decorate(inlineRefs(target, byName, [...stack, name]) as JsonSchema, out);
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
