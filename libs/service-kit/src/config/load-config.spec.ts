import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@platform/events';
import { BaseServiceConfig, defaultDataDir } from './base-service.config.js';
import { loadConfig } from './load-config.js';
import { loadConfigError } from '../testing/config-error.js';

class TestServiceConfig extends BaseServiceConfig {
  override PORT = 3999;
  override DATA_DIR = defaultDataDir('test');
}

const loadError = (env: Record<string, string>): InvalidConfigError => loadConfigError(TestServiceConfig, env);

describe('loadConfig', () => {
  it('applies the defaults of the class and its subclass', () => {
    const config = loadConfig(TestServiceConfig, {});
    expect(config).toMatchObject({
      PORT: 3999,
      HOST: '0.0.0.0',
      NATS_URL: 'nats://127.0.0.1:4222',
      DATA_DIR: resolve('.data/test'),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 25_000,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toBeInstanceOf(TestServiceConfig);
  });

  it('converts values to the declared types and ignores unrelated variables', () => {
    const config = loadConfig(TestServiceConfig, { PORT: '4000', SHUTDOWN_TIMEOUT_MS: '100', PATH: '/bin', LOG_LEVEL: 'debug' });
    expect(config.PORT).toBe(4000);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(100);
    expect(config.LOG_LEVEL).toBe('debug');
    expect(config).not.toHaveProperty('PATH');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig(TestServiceConfig, { PORT: '', DATABASE_URL: ' ' }).PORT).toBe(3999);
  });

  it('returns a frozen instance', () => {
    const config = loadConfig(TestServiceConfig, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });

  it.each(['70000', 'abc', '-1', '80.5'])('rejects PORT=%s naming PORT', (port) => {
    const error = loadError({ PORT: port });
    expect(error.key).toBe('PORT');
    expect(error.message).toContain('PORT');
  });

  it('names the first bad key and lists every bad key in the message', () => {
    const error = loadError({ PORT: 'x', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://u:secret@h/db' });
    expect(error.key).toBe('PORT');
    expect(error.message).toMatch(/LOG_LEVEL/);
    expect(error.message).toMatch(/DATABASE_URL/);
    expect(error.message).not.toContain('secret');
  });

  it('defaults the inbox retention to 8 days and the sequence retention to 35 days, and takes both in milliseconds', () => {
    expect(loadConfig(TestServiceConfig, {})).toMatchObject({ EVENTS_INBOX_RETENTION_MS: 8 * 86_400_000, EVENTS_SEQUENCE_RETENTION_MS: 35 * 86_400_000 });
    expect(loadConfig(TestServiceConfig, { EVENTS_INBOX_RETENTION_MS: '3600000', EVENTS_SEQUENCE_RETENTION_MS: '3600000' })).toMatchObject({
      EVENTS_INBOX_RETENTION_MS: 3_600_000,
      EVENTS_SEQUENCE_RETENTION_MS: 3_600_000,
    });
  });

  it.each([
    ['EVENTS_INBOX_RETENTION_MS', '0'],
    ['EVENTS_INBOX_RETENTION_MS', '1.5'],
    ['EVENTS_SEQUENCE_RETENTION_MS', '-1'],
    ['EVENTS_SEQUENCE_RETENTION_MS', '35d'],
  ])('rejects %s=%s (a positive whole number of milliseconds)', (key, value) => {
    expect(loadError({ [key]: value }).key).toBe(key);
  });

  it('refuses a sequence retention shorter than the inbox retention, naming both keys', () => {
    const error = loadError({ EVENTS_INBOX_RETENTION_MS: String(10 * 86_400_000), EVENTS_SEQUENCE_RETENTION_MS: String(9 * 86_400_000) });
    expect(error.key).toBe('EVENTS_SEQUENCE_RETENTION_MS');
    expect(error.message).toContain('must be at least EVENTS_INBOX_RETENTION_MS (864000000)');
  });

  it('accepts postgres:// and postgresql:// database URLs', () => {
    expect(loadConfig(TestServiceConfig, { DATABASE_URL: 'postgres://root@127.0.0.1:5432/root' }).DATABASE_URL).toBe('postgres://root@127.0.0.1:5432/root');
    expect(loadConfig(TestServiceConfig, { DATABASE_URL: 'postgresql://root@db/x' }).DATABASE_URL).toBe('postgresql://root@db/x');
  });
});
