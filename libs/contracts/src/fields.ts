import { IsInt, IsISO4217CurrencyCode, IsString, IsUUID, Length, Matches, Max, Min, type ValidationOptions } from 'class-validator';
import { composeDecorators } from '@platform/events';

/**
 * The platform's kinds of value, so that one (a SKU, an amount of money) is validated, and
 * described in the JSON Schema, the same way in every contract.
 */

/** An amount of money in integer minor units (cents), 0 ≤ n ≤ 2^53−1. Never a float. */
export function IsMinorUnits(): PropertyDecorator {
  // IsInt last: its `type: integer` must win over the `type: number` Min/Max put in the schema.
  return composeDecorators(Min(0), Max(Number.MAX_SAFE_INTEGER), IsInt());
}

/** An ISO 4217 alphabetic currency code, upper case (`EUR`, `USD`). */
export function IsCurrencyCode(): PropertyDecorator {
  return composeDecorators(IsString(), Length(3, 3), Matches(/^[A-Z]{3}$/), IsISO4217CurrencyCode());
}

/** A catalogue SKU: upper-case letters, digits and dashes, 1–64 characters (`SKU-001`). */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,63}$/;
/** A SKU; with `{ each: true }`, an array of SKUs. */
export function IsSku(options?: Pick<ValidationOptions, 'each'>): PropertyDecorator {
  return composeDecorators(IsString(options), Length(1, 64, options), Matches(SKU_PATTERN, options));
}

/** A simulated gateway's card token, Stripe-test style (`tok_visa`, `tok_decline`). */
export const PAYMENT_TOKEN_PATTERN = /^tok_[A-Za-z0-9_]{1,60}$/;
export function IsPaymentToken(): PropertyDecorator {
  return composeDecorators(IsString(), Matches(PAYMENT_TOKEN_PATTERN));
}

/**
 * A card token sealed for the payment service (`pt1.<key id>.<base64url of IV ‖ ciphertext ‖ tag>`,
 * AES-256-GCM; see the payment-token sealer in `@platform/service-kit`). Only the shape is checked
 * here: opening it needs the key, which only the order and payment services hold.
 */
export const SEALED_PAYMENT_TOKEN_PATTERN = /^pt1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{39,200}$/;
export function IsSealedPaymentToken(): PropertyDecorator {
  return composeDecorators(IsString(), Matches(SEALED_PAYMENT_TOKEN_PATTERN));
}

/** A customer id as clients send it: any string of 1–64 characters without control characters. */
export function IsCustomerId(): PropertyDecorator {
  return composeDecorators(IsString(), Length(1, 64), Matches(/^[^\u0000-\u001f\u007f]+$/));
}

/**
 * An id minted by a platform service (order, payment, notification ids): a UUID in canonical
 * form. Services mint UUIDv7 (time-ordered); any version is accepted so that ids from imports
 * or tests remain valid.
 */
export function IsEntityId(): PropertyDecorator {
  return IsUUID('all');
}

