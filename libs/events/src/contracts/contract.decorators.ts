import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Max,
  Min,
  ValidateIf,
  ValidateBy,
  ValidateNested,
  buildMessage,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { isRfc3339Timestamp } from '../envelope/envelope-attributes.js';

/**
 * Field decorators for event contracts that any catalogue needs (descriptions, optional fields,
 * timestamps, nested objects), each a composition of class-validator / class-transformer
 * decorators that class-validator-jsonschema understands. A catalogue's own kinds of value (a
 * SKU, an amount of money) are composed the same way with {@link composeDecorators}.
 */

/** One property decorator applying `decorators` in order. */
export function composeDecorators(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorator of decorators) decorator(target, property);
  };
}

/** A description of the field in the generated JSON Schema and AsyncAPI document (units, meaning). */
export function Describe(description: string): PropertyDecorator {
  return JSONSchema({ description }) as PropertyDecorator;
}

/**
 * The property may be absent (`undefined`); when present it must pass its other validators.
 * Unlike class-validator's `@IsOptional()`, `null` is refused: JSON producers omit a field
 * rather than send `null`, and the JSON Schema (not `required`, no `null` type) says the same.
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** Constraint name of {@link IsTimestamp} (the JSON Schema generator maps it to `date-time`). */
export const IS_RFC3339_TIMESTAMP = 'isRfc3339Timestamp';
/** An RFC 3339 timestamp with seconds and a zone, real calendar values (`2026-01-31T12:00:00.000Z`). */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: IS_RFC3339_TIMESTAMP,
    validator: {
      validate: (value: unknown) => isRfc3339Timestamp(value),
      defaultMessage: buildMessage((prefix) => `${prefix}$property must be an RFC 3339 timestamp`),
    },
  });
}

/** A count of units: an integer within [min, max]. */
export function IsQuantity(min: number, max: number = Number.MAX_SAFE_INTEGER): PropertyDecorator {
  return composeDecorators(Min(min), Max(max), IsInt());
}

/** One of a closed set of string values (an `as const` object's values). */
export function IsOneOf(values: Readonly<Record<string, string>>): PropertyDecorator {
  return composeDecorators(IsString(), IsIn(Object.values(values)));
}

/** A nested object validated against `type` (never an array, never `null`). */
export function NestedObject(type: () => new () => object): PropertyDecorator {
  return composeDecorators(IsObject(), ValidateNested(), Type(type));
}

/**
 * An array of `min`–`max` nested objects, each validated against `type`. Each element must be
 * an object: `@ValidateNested` alone lets `null`, `undefined` and nested arrays through.
 */
export function NestedArray(type: () => new () => object, min: number, max: number): PropertyDecorator {
  return composeDecorators(IsArray(), ArrayMinSize(min), ArrayMaxSize(max), IsObject({ each: true }), ValidateNested({ each: true }), Type(type));
}
