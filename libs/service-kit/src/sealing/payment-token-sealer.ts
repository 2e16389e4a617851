import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { FactoryProvider } from '@nestjs/common';
import { PermanentError } from '@platform/events';
import { SEALED_PAYMENT_TOKEN_PATTERN } from '@platform/contracts';
import { ValidateBy } from 'class-validator';
import { SERVICE_CONFIG } from '../tokens.js';

/**
 * Sealing of card tokens for the payment service (the order service seals, payment opens), so
 * that `order.created` and its dead-letter copies never carry a token in clear: every consumer of
 * ORDERS and every DLQ reader sees event bodies.
 *
 * - AES-256-GCM, a fresh 96-bit IV per seal, 128-bit tag.
 * - Additional authenticated data: format version, key id, tenant id and order id. A sealed token
 *   copied onto another order or tenant does not open.
 * - Keys come from `PAYMENT_TOKEN_KEYS` = `kid:key[,kid:key…]`, each key 32 random bytes in base64
 *   or base64url; the first seals, all open (rotation: docs/services.md, "The payment token").
 * - Wire form: `pt1.<kid>.<base64url(IV ‖ ciphertext ‖ tag)>` ({@link SEALED_PAYMENT_TOKEN_PATTERN}).
 *
 * No error message ever contains a token, a sealed value or key material.
 */

/** The config key holding the keys (order and payment only). */
export const PAYMENT_TOKEN_KEYS = 'PAYMENT_TOKEN_KEYS';

const FORMAT = 'pt1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_TEXT = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43})$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longest clear token sealed: keeps the sealed form within {@link SEALED_PAYMENT_TOKEN_PATTERN}'s 200 characters. */
const MAX_TOKEN_BYTES = 120;
const GENERATE_HINT = `generate one with: node -e "console.log('k1:' + require('crypto').randomBytes(32).toString('base64url'))"`;

/** Binds a sealed token to one order of one tenant. */
export interface SealingContext {
  readonly tenantId: string;
  readonly orderId: string;
}

/**
 * A sealed token that cannot be opened: unknown key id, wrong key, tampered value, or sealed for
 * another tenant or order. Permanent: no retry can fix it, so the event is dead-lettered at once
 * (redrive it once the key configuration is fixed).
 */
export class PaymentTokenUnsealError extends PermanentError {}

/** Why `value` is not a valid `PAYMENT_TOKEN_KEYS` value, or undefined. Never echoes key material. */
export function paymentTokenKeysProblem(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') {
    return `is required (order and payment): kid:key[,kid:key…], each key 32 random bytes in base64 or base64url; ${GENERATE_HINT}`;
  }
  if (typeof value !== 'string') return 'must be a string kid:key[,kid:key…]';
  const seen = new Set<string>();
  const entries = value.split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    const at = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) return `${at} is not kid:key (a key id, a colon, the key)`;
    const kid = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    if (!KEY_ID.test(kid)) return `${at}: the key id must be 1–32 letters, digits, "_" or "-"`;
    if (seen.has(kid)) return `key id "${kid}" appears twice`;
    seen.add(kid);
    if (!KEY_TEXT.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) {
      return `key "${kid}" must be exactly 32 bytes in base64 or base64url (43 characters, or 44 with "="); ${GENERATE_HINT}`;
    }
  }
  return undefined;
}

/** Config decorator: a valid `PAYMENT_TOKEN_KEYS` value (required). */
export function IsPaymentTokenKeys(): PropertyDecorator {
  return ValidateBy({
    name: 'isPaymentTokenKeys',
    validator: {
      validate: (value: unknown) => paymentTokenKeysProblem(value) === undefined,
      defaultMessage: (args) => paymentTokenKeysProblem(args?.value) ?? 'is invalid',
    },
  });
}

/** A fresh `PAYMENT_TOKEN_KEYS` value with one random key (tests, local development). */
export function generatePaymentTokenKeys(kid = 'k1'): string {
  return `${kid}:${randomBytes(KEY_BYTES).toString('base64url')}`;
}

function additionalData(kid: string, context: SealingContext): Buffer {
  return Buffer.from(JSON.stringify([FORMAT, kid, context.tenantId, context.orderId]), 'utf8');
}

export class PaymentTokenSealer {
  private constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly sealingKid: string,
  ) {}

  /** From a `PAYMENT_TOKEN_KEYS` value; throws a `TypeError` naming the problem (never the keys). */
  static fromKeys(value: string): PaymentTokenSealer {
    const problem = paymentTokenKeysProblem(value);
    if (problem) throw new TypeError(`${PAYMENT_TOKEN_KEYS} ${problem}`);
    const keys = new Map<string, Buffer>();
    for (const entry of value.split(',')) {
      const [kid, key] = entry.trim().split(':') as [string, string];
      keys.set(kid, Buffer.from(key, 'base64'));
    }
    return new PaymentTokenSealer(keys, keys.keys().next().value!);
  }

  /** The key id new tokens are sealed with (the first of `PAYMENT_TOKEN_KEYS`). */
  get keyId(): string {
    return this.sealingKid;
  }

  /** The key ids that open tokens. */
  get keyIds(): readonly string[] {
    return [...this.keys.keys()];
  }

  /** Seal `token` for the payment service, bound to the tenant and order. */
  seal(token: string, context: SealingContext): string {
    const clear = Buffer.from(token, 'utf8');
    if (clear.length === 0 || clear.length > MAX_TOKEN_BYTES) throw new TypeError(`a payment token to seal is 1–${MAX_TOKEN_BYTES} bytes`);
    const kid = this.sealingKid;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(kid)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(kid, context));
    const sealed = Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}.${kid}.${sealed.toString('base64url')}`;
  }

  /**
   * Open a token sealed by {@link seal} for this tenant and order.
   * @throws PaymentTokenUnsealError (permanent) naming the order and the reason, never the token.
   */
  unseal(sealed: string, context: SealingContext): string {
    const fail = (reason: string): never => {
      throw new PaymentTokenUnsealError(`cannot open the sealed payment token of order ${context.orderId} (tenant ${context.tenantId}): ${reason}`);
    };
    if (typeof sealed !== 'string' || !SEALED_PAYMENT_TOKEN_PATTERN.test(sealed)) return fail(`not a ${FORMAT}.<kid>.<base64url> value`);
    const [, kid, body] = sealed.split('.') as [string, string, string];
    const key = this.keys.get(kid);
    if (!key) return fail(`key id "${kid}" is not in ${PAYMENT_TOKEN_KEYS} (configured: ${this.keyIds.join(', ')})`);
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES + 1) return fail('too short');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(kid, context));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return fail(`authentication failed under key "${kid}" (another key with that id, a tampered value, or a token sealed for another tenant or order)`);
    }
  }
}

/** Nest provider of the {@link PaymentTokenSealer} built from the service config's `PAYMENT_TOKEN_KEYS`. */
export const paymentTokenSealerProvider: FactoryProvider<PaymentTokenSealer> = {
  provide: PaymentTokenSealer,
  inject: [SERVICE_CONFIG],
  useFactory: (config: { readonly PAYMENT_TOKEN_KEYS?: string }) => PaymentTokenSealer.fromKeys(config.PAYMENT_TOKEN_KEYS ?? ''),
};
