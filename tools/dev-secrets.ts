// Local development secrets of `npm start` (no build needed: nothing of the workspace libraries),
// generated once under the workspace's data folder and reused; never committed (.data/ is ignored).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envText, type Env } from './lib/env.js';

/** Where `ensurePaymentTokenKey` keeps the key under `dataDir`. */
export function paymentTokenKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'payment-token.key');
}

/**
 * The `PAYMENT_TOKEN_KEYS` the order service seals card tokens with and the payment service opens
 * them with (nobody else gets it). An explicit `PAYMENT_TOKEN_KEYS` in `env` wins; otherwise
 * `<dataDir>/secrets/payment-token.key` (mode 0600, folder 0700) is created with one random
 * 32-byte key (`local:<base64url>`) when missing, and read. The file holds the whole value, so a
 * rotation is an edit: put the new `kid:key` first, keep the old one after it.
 *
 * @returns `{ PAYMENT_TOKEN_KEYS }`, the environment to add to order and payment only.
 */
export function ensurePaymentTokenKey(dataDir: string, env: Env = process.env): { readonly PAYMENT_TOKEN_KEYS: string } {
  const explicit = envText(env, 'PAYMENT_TOKEN_KEYS');
  if (explicit) return { PAYMENT_TOKEN_KEYS: explicit };
  const file = paymentTokenKeyFile(dataDir);
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `local:${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const value = readFileSync(file, 'utf8').trim();
  if (!value) throw new Error(`${file} is empty: delete it to generate a new payment token key`);
  return { PAYMENT_TOKEN_KEYS: value };
}
