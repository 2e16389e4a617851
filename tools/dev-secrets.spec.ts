import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { paymentTokenKeysProblem, PaymentTokenSealer } from '../libs/service-kit/src/sealing/payment-token-sealer.js';
import { ensurePaymentTokenKey, paymentTokenKeyFile } from './dev-secrets.js';

describe('tools/dev-secrets.ts: ensurePaymentTokenKey (npm start)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dev-secrets-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates .data/secrets/payment-token.key (0600, folder 0700) with a valid key, then reuses it', async () => {
    const first = ensurePaymentTokenKey(dataDir, {});
    const file = paymentTokenKeyFile(dataDir);
    expect(file).toBe(join(dataDir, 'secrets', 'payment-token.key'));
    expect(paymentTokenKeysProblem(first.PAYMENT_TOKEN_KEYS)).toBeUndefined();
    expect(first.PAYMENT_TOKEN_KEYS).toMatch(/^local:[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'secrets'))).mode & 0o777).toBe(0o700);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.PAYMENT_TOKEN_KEYS);
    expect(ensurePaymentTokenKey(dataDir, {})).toEqual(first);
    const sealer = PaymentTokenSealer.fromKeys(first.PAYMENT_TOKEN_KEYS);
    expect(sealer.unseal(sealer.seal('tok_visa', { tenantId: 'demo', orderId: 'o-1' }), { tenantId: 'demo', orderId: 'o-1' })).toBe('tok_visa');
  });

  it('prefers an explicit PAYMENT_TOKEN_KEYS and then writes no file', async () => {
    expect(ensurePaymentTokenKey(dataDir, { PAYMENT_TOKEN_KEYS: ' k2:abc ' })).toEqual({ PAYMENT_TOKEN_KEYS: 'k2:abc' });
    await expect(stat(paymentTokenKeyFile(dataDir))).rejects.toThrow(/ENOENT/);
  });

  it('tightens a key file readable by others, and refuses an empty one', async () => {
    ensurePaymentTokenKey(dataDir, {});
    const file = paymentTokenKeyFile(dataDir);
    await writeFile(file, 'k1:x\n', { mode: 0o644 });
    await chmod(file, 0o644);
    expect(ensurePaymentTokenKey(dataDir, {})).toEqual({ PAYMENT_TOKEN_KEYS: 'k1:x' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFile(file, '\n');
    expect(() => ensurePaymentTokenKey(dataDir, {})).toThrow(/is empty/);
  });
});
