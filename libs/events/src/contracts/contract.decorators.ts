import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO4217CurrencyCode,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateBy,
  ValidateNested,
  buildMessage,
  type ValidationOptions,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { isRfc3339Timestamp } from '../envelope/envelope-attributes.js';

/**
 * Field decorators shared by the event contracts, so that one kind of value (a SKU, an amount of
 * money) is validated, and described in the JSON Schema, the same way in every contract.
 * Each one is a composition of class-validator / class-transformer decorators that
 * class-validator-jsonschema understands.
 */

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
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

/** An amount of money in integer minor units (cents), 0 ≤ n ≤ 2^53−1. Never a float. */
export function IsMinorUnits(): PropertyDecorator {
  // IsInt last: its `type: integer` must win over the `type: number` Min/Max put in the schema.
  return compose(Min(0), Max(Number.MAX_SAFE_INTEGER), IsInt());
}

/** An ISO 4217 alphabetic currency code, upper case (`EUR`, `USD`). */
export function IsCurrencyCode(): PropertyDecorator {
  return compose(IsString(), Length(3, 3), Matches(/^[A-Z]{3}$/), IsISO4217CurrencyCode());
}

/** A catalogue SKU: upper-case letters, digits and dashes, 1–64 characters (`SKU-001`). */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,63}$/;
/** A SKU; with `{ each: true }`, an array of SKUs. */
export function IsSku(options?: Pick<ValidationOptions, 'each'>): PropertyDecorator {
  return compose(IsString(options), Length(1, 64, options), Matches(SKU_PATTERN, options));
}

/** A simulated gateway's card token, Stripe-test style (`tok_visa`, `tok_decline`). */
export const PAYMENT_TOKEN_PATTERN = /^tok_[A-Za-z0-9_]{1,60}$/;
export function IsPaymentToken(): PropertyDecorator {
  return compose(IsString(), Matches(PAYMENT_TOKEN_PATTERN));
}

/**
 * A card token sealed for the payment service (`pt1.<key id>.<base64url of IV ‖ ciphertext ‖ tag>`,
 * AES-256-GCM; see the payment-token sealer in `@platform/service-kit`). Only the shape is checked
 * here: opening it needs the key, which only the order and payment services hold.
 */
export const SEALED_PAYMENT_TOKEN_PATTERN = /^pt1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{39,200}$/;
export function IsSealedPaymentToken(): PropertyDecorator {
  return compose(IsString(), Matches(SEALED_PAYMENT_TOKEN_PATTERN));
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

/** A customer id as clients send it: any string of 1–64 characters without control characters. */
export function IsCustomerId(): PropertyDecorator {
  return compose(IsString(), Length(1, 64), Matches(/^[^\u0000-\u001f\u007f]+$/));
}

/**
 * An id minted by a platform service (order, payment, notification ids): a UUID in canonical
 * form. Services mint UUIDv7 (time-ordered); any version is accepted so that ids from imports
 * or tests remain valid.
 */
export function IsEntityId(): PropertyDecorator {
  return IsUUID('all');
}

/** A count of units: an integer within [min, max]. */
export function IsQuantity(min: number, max: number = Number.MAX_SAFE_INTEGER): PropertyDecorator {
  return compose(Min(min), Max(max), IsInt());
}

/** One of a closed set of string values (an `as const` object's values). */
export function IsOneOf(values: Readonly<Record<string, string>>): PropertyDecorator {
  return compose(IsString(), IsIn(Object.values(values)));
}

/** A nested object validated against `type` (never an array, never `null`). */
export function NestedObject(type: () => new () => object): PropertyDecorator {
  return compose(IsObject(), ValidateNested(), Type(type));
}

/**
 * An array of `min`–`max` nested objects, each validated against `type`. Each element must be
 * an object: `@ValidateNested` alone lets `null`, `undefined` and nested arrays through.
 */
export function NestedArray(type: () => new () => object, min: number, max: number): PropertyDecorator {
  return compose(IsArray(), ArrayMinSize(min), ArrayMaxSize(max), IsObject({ each: true }), ValidateNested({ each: true }), Type(type));
}
