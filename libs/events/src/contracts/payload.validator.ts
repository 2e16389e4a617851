import 'reflect-metadata';
import { Ajv } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { isUUID, validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { isJsonObject, isRfc3339Timestamp, preview } from '../envelope/envelope-attributes.js';
import type { ValidationIssue } from '../errors.js';
import type { PayloadClass } from './define-event.js';
import { payloadClassSchema } from './json-schema.js';
import { CLASS_VALIDATOR_ONLY, type JsonSchema } from './json-schema.types.js';

const VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  // Errors must not hold the payload: they end up in logs and dead-letter records.
  validationError: { target: false, value: false },
});

/** Keys class-transformer silently skips, so whitelisting alone would not report them. */
const SKIPPED_KEYS = ['__proto__', 'constructor'] as const;

/**
 * Validates plain JSON payloads against a class-validator payload class, fast.
 *
 * class-validator is the authority: its verdict and its messages are what callers see. But it
 * costs tens of microseconds per payload (class-transformer instantiation, metadata lookups on
 * every call), and validation runs on every publish and every consume. So the first use
 * compiles the class's generated JSON Schema ({@link payloadClassSchema}, the one the AsyncAPI
 * documents publish) with ajv; when ajv accepts, the payload is valid and class-validator is not
 * run. When ajv rejects, class-validator runs and decides, with its own messages. The schema
 * says exactly what class-validator accepts, or more strictly where JSON Schema cannot follow
 * (those parts are marked {@link CLASS_VALIDATOR_ONLY}, and ajv rejects them): ajv never accepts
 * what class-validator refuses (a differential spec checks this on mutated payloads).
 */
export class PayloadValidator {
  private fast: ((data: unknown) => boolean) | undefined;

  constructor(readonly payload: PayloadClass) {}

  /** The issues of `data` (empty when valid), with dotted paths (`items.0.quantity`). */
  validate(data: unknown): ValidationIssue[] {
    if (!isJsonObject(data)) return [{ property: '(root)', messages: [`payload must be a JSON object, got ${preview(data)}`] }];
    if (this.fastAccepts(data)) return [];
    return this.authoritativeIssues(data);
  }

  /** `true` when `data` is plain JSON data and ajv accepts it; `false` otherwise (class-validator must decide). */
  fastAccepts(data: Record<string, unknown>): boolean {
    this.fast ??= compileFastPath(this.payload);
    try {
      return this.fast(data) && isPlainData(data, 0);
    } catch {
      return false; // a throwing getter or proxy: class-validator decides (and reports it)
    }
  }

  /**
   * class-validator's verdict, plus the `__proto__`/`constructor` keys it cannot see. Never
   * throws: a payload that crashes class-transformer (it does on some `constructor` keys) is
   * reported as an issue.
   */
  authoritativeIssues(data: Record<string, unknown>): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    collectSkippedKeys(data, '', issues);
    // class-transformer would skip these keys, or crash on them; they are refused anyway.
    if (issues.length > 0) return issues;
    try {
      flattenErrors(validateSync(plainToInstance(this.payload, data) as object, VALIDATOR_OPTIONS), '', issues);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      issues.push({ property: '(root)', messages: [`payload could not be validated: ${reason}`] });
    }
    return issues;
  }
}

// ---------------------------------------------------------------------------------------------
// The fast path: ajv on the generated JSON Schema

let compiler: Ajv | undefined;

/** One ajv for every contract, set up to read the generated schemas as class-validator would. */
function ajv(): Ajv {
  return (compiler ??= new Ajv({
    // The generator emits only keywords and formats registered here; anything else is a bug.
    strict: true,
    // `integer` is Number.isInteger: NaN and ±Infinity are not numbers (class-validator's isInt).
    strictNumbers: true,
    // validator.js matches a pattern without the `u` flag (`value.match(regex)`); so does ajv then.
    unicodeRegExp: false,
    allErrors: false,
    messages: false,
    addUsedSchema: false,
    formats: {
      // The class-validator functions themselves, so that these formats mean what they check.
      uuid: (value: string) => isUUID(value, 'all'),
      'date-time': (value: string) => isRfc3339Timestamp(value),
    },
    keywords: [
      // What JSON Schema cannot say: reject, so that class-validator decides.
      { keyword: CLASS_VALIDATOR_ONLY, schemaType: 'array', macro: () => false },
    ],
  }));
}

const NEVER = (): boolean => false;

/** A payload JSON Schema compiled as the fast path compiles it (the differential spec uses it too). */
export function compileFastSchema(schema: JsonSchema): (data: unknown) => boolean {
  return ajv().compile(schema);
}

function compileFastPath(payload: PayloadClass): (data: unknown) => boolean {
  try {
    return compileFastSchema(payloadClassSchema(payload));
  } catch {
    // A class the generator cannot describe (nested validation without @Type, …): every payload
    // goes to class-validator, which refuses or accepts it as it always did.
    return NEVER;
  }
}

const MAX_PLAIN_DEPTH = 64;
const getPrototypeOf = Object.getPrototypeOf;
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;

/**
 * Whether `value` is data as JSON.parse makes it, so that ajv and class-transformer see the same
 * thing: plain objects (prototype Object.prototype or null) whose own string keys are all
 * enumerable (class-transformer copies `Object.keys`, ajv reads every property) and none is
 * `__proto__` or `constructor` (class-transformer skips them), arrays without holes
 * (class-transformer drops them), and anything that is not an object. Class instances, Dates,
 * Maps and the like are left to class-validator, which treats them its own way.
 */
function isPlainData(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth > MAX_PLAIN_DEPTH) return false;
  if (Array.isArray(value)) {
    if (getPrototypeOf(value) !== ArrayPrototype) return false;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isPlainData(value[i], depth + 1)) return false;
    }
    return true;
  }
  const prototype: unknown = getPrototypeOf(value);
  if (prototype !== ObjectPrototype && prototype !== null) return false;
  // for…in also lists inherited enumerable keys (a polluted Object.prototype): the count then
  // differs too, and class-validator decides.
  let enumerable = 0;
  for (const key in value) {
    if (key === '__proto__' || key === 'constructor') return false;
    if (!isPlainData((value as Record<string, unknown>)[key], depth + 1)) return false;
    enumerable++;
  }
  return enumerable === Object.getOwnPropertyNames(value).length;
}

// ---------------------------------------------------------------------------------------------
// Issues from class-validator

function flattenErrors(errors: readonly ValidationError[], prefix: string, issues: ValidationIssue[]): void {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) issues.push({ property: path, messages: Object.values(error.constraints) });
    if (error.children && error.children.length > 0) flattenErrors(error.children, path, issues);
  }
}

function collectSkippedKeys(value: unknown, prefix: string, issues: ValidationIssue[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collectSkippedKeys(value[i], prefix ? `${prefix}.${i}` : String(i), issues);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const key of SKIPPED_KEYS) {
    if (Object.hasOwn(value, key)) issues.push({ property: prefix ? `${prefix}.${key}` : key, messages: [`property ${key} should not exist`] });
  }
  for (const key in value) {
    const child = value[key];
    if (typeof child === 'object' && child !== null) collectSkippedKeys(child, prefix ? `${prefix}.${key}` : key, issues);
  }
}
