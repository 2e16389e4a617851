import { isDeepStrictEqual } from 'node:util';
import { AT_LEAST_PREFIX } from './json-schema.constraints.js';
import { CLASS_VALIDATOR_ONLY, DEFINITIONS_PREFIX, type JsonSchema } from './json-schema.types.js';

// Assembling a payload schema from the parts the generator (json-schema.ts) translated: the
// intersection of a property's constraints, decorations, nested classes inlined, objects closed.

const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', '$comment', 'deprecated', 'readOnly', 'writeOnly']);

/** `schema` with a decoration's annotations copied and its other keywords intersected. */
export function decorate(schema: JsonSchema, decoration: JsonSchema | undefined): JsonSchema {
  if (!decoration) return schema;
  const annotations: JsonSchema = {};
  const assertions: JsonSchema = {};
  for (const [keyword, value] of Object.entries(decoration)) (ANNOTATIONS.has(keyword) ? annotations : assertions)[keyword] = value;
  return { ...(Object.keys(assertions).length > 0 ? combine([schema, assertions]) : schema), ...annotations };
}

const LOWER_BOUNDS = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']);
const UPPER_BOUNDS = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']);

/**
 * The intersection of schemas: keyword by keyword, a keyword only one has is kept, bounds
 * take the tighter, `integer` ∩ `number` is `integer`, array schemas of items intersect, and
 * any other clash goes into `allOf`. Never drops a constraint.
 */
export function combine(parts: readonly JsonSchema[]): JsonSchema {
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
export function inlineRefs(schema: unknown, byName: ReadonlyMap<string, JsonSchema>, stack: readonly string[]): unknown {
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
export function closeObjects(schema: unknown): unknown {
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
