import { randomBytes } from 'node:crypto';
import { InvalidConfigError, isRetryable, PermanentError } from '@platform/events';
import { SEALED_PAYMENT_TOKEN_PATTERN } from '@platform/contracts';
import { Expose } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { generatePaymentTokenKeys, IsPaymentTokenKeys, PaymentTokenSealer, PaymentTokenUnsealError, paymentTokenKeysProblem } from './payment-token-sealer.js';

const order = { tenantId: 'demo', orderId: '01890a5d-ac96-774b-bcce-b302099a8057' };
const keyB64 = () => randomBytes(32).toString('base64');

/** The error `fn` throws (it must throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('PaymentTokenSealer', () => {
  const keys = generatePaymentTokenKeys('k1');
  const sealer = PaymentTokenSealer.fromKeys(keys);

  it('round-trips a token, sealed as pt1.<kid>.<base64url> without the clear token', () => {
    const sealed = sealer.seal('tok_visa', order);
    expect(sealed).toMatch(SEALED_PAYMENT_TOKEN_PATTERN);
    expect(sealed.startsWith('pt1.k1.')).toBe(true);
    expect(sealed).not.toContain('tok_visa');
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url').toString('latin1')).not.toContain('tok_visa');
    expect(sealer.unseal(sealed, order)).toBe('tok_visa');
    expect(PaymentTokenSealer.fromKeys(keys).unseal(sealed, order)).toBe('tok_visa');
  });

  it('seals the same token differently each time (fresh IV), and the longest token fits the contract pattern', () => {
    expect(sealer.seal('tok_visa', order)).not.toBe(sealer.seal('tok_visa', order));
    const longest = `tok_${'x'.repeat(60)}`;
    const sealed = sealer.seal(longest, order);
    expect(sealed).toMatch(SEALED_PAYMENT_TOKEN_PATTERN);
    expect(sealer.unseal(sealed, order)).toBe(longest);
  });

  it('refuses a token sealed under another key with the same id: a clear, permanent error without the token', () => {
    const sealed = PaymentTokenSealer.fromKeys(generatePaymentTokenKeys('k1')).seal('tok_secret_visa', order);
    const error = thrown(() => sealer.unseal(sealed, order));
    expect(error).toBeInstanceOf(PaymentTokenUnsealError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toMatch(/cannot open the sealed payment token of order 01890a5d-.* \(tenant demo\): authentication failed under key "k1"/);
    expect(error.message).not.toContain('tok_secret_visa');
    expect(error.message).not.toContain(sealed);
  });

  it('refuses an unknown key id, naming the configured ones', () => {
    const sealed = PaymentTokenSealer.fromKeys(generatePaymentTokenKeys('k9')).seal('tok_visa', order);
    expect(() => sealer.unseal(sealed, order)).toThrow(/key id "k9" is not in PAYMENT_TOKEN_KEYS \(configured: k1\)/);
  });

  it('refuses a tampered ciphertext, IV, tag or key id', () => {
    const sealed = sealer.seal('tok_visa', order);
    const [format, kid, body] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    for (const at of [0, 12, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at] = tampered[at]! ^ 0x01;
      expect(() => sealer.unseal(`${format}.${kid}.${tampered.toString('base64url')}`, order), `byte ${at}`).toThrow(PaymentTokenUnsealError);
    }
    expect(() => sealer.unseal(`${format}.${kid}.${bytes.subarray(0, bytes.length - 1).toString('base64url')}`, order)).toThrow(PaymentTokenUnsealError);
    const twoKeys = PaymentTokenSealer.fromKeys(`${keys},k2:${keyB64()}`);
    expect(() => twoKeys.unseal(`${format}.k2.${body}`, order)).toThrow(/authentication failed under key "k2"/);
    for (const garbage of ['', 'tok_visa', 'pt1.k1.short', `pt2.${kid}.${body}`, `${sealed}.x`]) {
      expect(() => sealer.unseal(garbage, order), garbage).toThrow(/not a pt1\.<kid>\.<base64url> value/);
    }
  });

  it('refuses a token replayed onto another order or tenant (both are authenticated data)', () => {
    const sealed = sealer.seal('tok_visa', order);
    expect(() => sealer.unseal(sealed, { ...order, orderId: '01890a5d-ac96-774b-bcce-b302099a8058' })).toThrow(/authentication failed/);
    expect(() => sealer.unseal(sealed, { ...order, tenantId: 'acme' })).toThrow(/authentication failed/);
  });

  it('rotates by key id: the first key seals, every listed key opens', () => {
    const old = generatePaymentTokenKeys('2025');
    const fresh = generatePaymentTokenKeys('2026');
    const before = PaymentTokenSealer.fromKeys(old);
    const during = PaymentTokenSealer.fromKeys(`${fresh},${old}`);
    const after = PaymentTokenSealer.fromKeys(fresh);
    const legacy = before.seal('tok_visa', order);
    const current = during.seal('tok_decline', order);
    expect(during.keyId).toBe('2026');
    expect(during.keyIds).toEqual(['2026', '2025']);
    expect(current.startsWith('pt1.2026.')).toBe(true);
    expect(during.unseal(legacy, order)).toBe('tok_visa');
    expect(during.unseal(current, order)).toBe('tok_decline');
    expect(after.unseal(current, order)).toBe('tok_decline');
    expect(() => after.unseal(legacy, order)).toThrow(/key id "2025" is not in PAYMENT_TOKEN_KEYS/);
  });

  it('refuses to seal an empty or oversized token', () => {
    expect(() => sealer.seal('', order)).toThrow(TypeError);
    expect(() => sealer.seal('x'.repeat(121), order)).toThrow(TypeError);
  });
});

describe('PAYMENT_TOKEN_KEYS validation', () => {
  const key = keyB64();

  it.each([
    ['one base64 key', `k1:${key}`],
    ['one base64url key without padding', `k1:${randomBytes(32).toString('base64url')}`],
    ['base64 without padding', `k1:${key.replace(/=$/, '')}`],
    ['two keys, spaces around entries', ` k2:${keyB64()} , k1:${key}`],
  ])('accepts %s', (_label, value) => {
    expect(paymentTokenKeysProblem(value)).toBeUndefined();
    expect(() => PaymentTokenSealer.fromKeys(value)).not.toThrow();
  });

  it.each([
    ['unset', undefined, /is required/],
    ['empty', '', /is required/],
    ['no key id', key, /entry 1 is not kid:key/],
    ['a bad key id', `k.1:${key}`, /entry 1: the key id/],
    ['a duplicate key id', `k1:${key},k1:${keyB64()}`, /key id "k1" appears twice/],
    ['a short key', `k1:${randomBytes(16).toString('base64')}`, /key "k1" must be exactly 32 bytes/],
    ['a long key', `k1:${randomBytes(33).toString('base64')}`, /key "k1" must be exactly 32 bytes/],
    ['not base64', `k1:${'!'.repeat(43)}`, /key "k1" must be exactly 32 bytes/],
    ['a trailing comma', `k1:${key},`, /entry 2 is not kid:key/],
  ])('refuses %s, without echoing the key', (_label, value, problem) => {
    const message = paymentTokenKeysProblem(value);
    expect(message).toMatch(problem);
    expect(message).not.toContain(key);
    expect(() => PaymentTokenSealer.fromKeys(value as string)).toThrow(/^PAYMENT_TOKEN_KEYS /);
  });

  it('stops loadConfig with an error naming the key and not echoing its value', () => {
    class Config {
      @Expose()
      @IsPaymentTokenKeys()
      PAYMENT_TOKEN_KEYS!: string;
    }
    expect(loadConfig(Config, { PAYMENT_TOKEN_KEYS: `k1:${key}` }).PAYMENT_TOKEN_KEYS).toBe(`k1:${key}`);
    for (const env of [{}, { PAYMENT_TOKEN_KEYS: `k1:${key.slice(0, 20)}` }]) {
      const error = thrown(() => loadConfig(Config, env));
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).key).toBe('PAYMENT_TOKEN_KEYS');
      expect(error.message).toMatch(/^invalid config PAYMENT_TOKEN_KEYS: /);
      expect(error.message).not.toContain(key.slice(0, 20));
    }
  });
});
