import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  ARRAY_NOT_EMPTY,
  EQUALS,
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
} from 'class-validator';
import { IS_RFC3339_TIMESTAMP } from './contract.decorators.js';
import type { JsonSchema } from './json-schema.types.js';

type Translation = (constraints: readonly unknown[]) => JsonSchema | undefined;

/**
 * JSON Schema of class-validator's constraints, by registered name, given their constraint
 * arguments; `undefined` where an argument makes the meaning inexpressible. Each says what
 * the class-validator function checks, for the values JSON can carry. (A custom decorator
 * registered under one of these names would be misread: names are how class-validator and
 * class-validator-jsonschema know constraints.)
 */
export const CONSTRAINTS: ReadonlyMap<string, Translation> = new Map<string, Translation>([
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
/** The start of the pattern a minimum length above 1 adds (`…{n}`), by which combining recognises it. */
export const AT_LEAST_PREFIX = `^(?:${LENGTH_UNIT}){`;

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
