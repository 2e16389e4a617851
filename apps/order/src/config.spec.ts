import { InvalidConfigError } from '@platform/events';
import { loadConfig } from '@platform/service-kit';
import { loadConfigError, startTestService, TEST_PAYMENT_TOKEN_KEYS } from '@platform/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { OrderServiceConfig } from './config.js';
import { orderService } from './service.definition.js';

/** The required sealing key, so that each case tests only the keys it names. */
const KEYS = { PAYMENT_TOKEN_KEYS: TEST_PAYMENT_TOKEN_KEYS };

const loadError = (env: Record<string, string>, base: Record<string, string> = KEYS): InvalidConfigError => loadConfigError(OrderServiceConfig, { ...base, ...env });

describe('order service config: admission control', () => {
  it('defaults to 500 pending, 64 in flight, a count every 250 ms and Retry-After 1 s', () => {
    expect(loadConfig(OrderServiceConfig, KEYS)).toMatchObject({
      ORDER_ADMISSION_MAX_PENDING: 500,
      ORDER_ADMISSION_MAX_IN_FLIGHT: 64,
      ORDER_ADMISSION_REFRESH_MS: 250,
      ORDER_ADMISSION_RETRY_AFTER_S: 1,
    });
  });

  it('reads the keys, 0 disabling a bound', () => {
    const config = loadConfig(OrderServiceConfig, { ...KEYS, ORDER_ADMISSION_MAX_PENDING: '0', ORDER_ADMISSION_MAX_IN_FLIGHT: '0', ORDER_ADMISSION_REFRESH_MS: '10', ORDER_ADMISSION_RETRY_AFTER_S: '30' });
    expect(config).toMatchObject({ ORDER_ADMISSION_MAX_PENDING: 0, ORDER_ADMISSION_MAX_IN_FLIGHT: 0, ORDER_ADMISSION_REFRESH_MS: 10, ORDER_ADMISSION_RETRY_AFTER_S: 30 });
  });

  it.each([
    ['ORDER_ADMISSION_MAX_PENDING', '-1'],
    ['ORDER_ADMISSION_MAX_PENDING', 'many'],
    ['ORDER_ADMISSION_MAX_PENDING', '2.5'],
    ['ORDER_ADMISSION_MAX_IN_FLIGHT', '-5'],
    ['ORDER_ADMISSION_MAX_IN_FLIGHT', 'ten'],
    ['ORDER_ADMISSION_REFRESH_MS', '0'],
    ['ORDER_ADMISSION_REFRESH_MS', '600000'],
    ['ORDER_ADMISSION_RETRY_AFTER_S', '0'],
    ['ORDER_ADMISSION_RETRY_AFTER_S', '0.5'],
  ])('refuses %s=%s, naming the key', (key, value) => {
    const error = loadError({ [key]: value });
    expect(error.key).toBe(key);
    expect(error.message).toContain(`invalid config ${key}:`);
  });

  it('stops the service at boot on a bad value, naming the key', async () => {
    await expect(startTestService(orderService, { ORDER_ADMISSION_MAX_IN_FLIGHT: 'lots' })).rejects.toThrow(/invalid config ORDER_ADMISSION_MAX_IN_FLIGHT:/);
  });
});

describe('order service config: PAYMENT_TOKEN_KEYS (the card-token sealing key)', () => {
  it('is required, and a bad value is refused naming the key without echoing it', () => {
    const missing = loadError({}, {});
    expect(missing.key).toBe('PAYMENT_TOKEN_KEYS');
    expect(missing.message).toMatch(/^invalid config PAYMENT_TOKEN_KEYS: is required/);
    const short = loadError({ PAYMENT_TOKEN_KEYS: 'k1:c2hvcnQta2V5' }, {});
    expect(short.message).toMatch(/key "k1" must be exactly 32 bytes/);
    expect(short.message).not.toContain('c2hvcnQta2V5');
  });

  it('stops the service at boot on a bad value, naming the key', async () => {
    await expect(startTestService(orderService, { PAYMENT_TOKEN_KEYS: 'not-a-key' })).rejects.toThrow(/invalid config PAYMENT_TOKEN_KEYS:/);
  });
});
