import { describe, expect, it } from 'vitest';
import { UsageError } from './cli.js';
import { DEFAULT_NATS_URL, envInteger, envList, envText, readDatabaseTarget, readNatsSettings } from './env.js';

describe('tools/lib/env.ts: the tools’ one environment reader', () => {
  it('counts blank values as unset and trims the others', () => {
    expect(envText({ A: '  x ' }, 'A')).toBe('x');
    expect(envText({ A: '   ' }, 'A')).toBeUndefined();
    expect(envText({}, 'A')).toBeUndefined();
  });

  it('reads integers and lists, naming the key of a value it cannot use', () => {
    expect(envInteger({}, 'N', 7)).toBe(7);
    expect(envInteger({ N: ' 12 ' }, 'N', 7, { min: 1 })).toBe(12);
    expect(() => envInteger({ N: 'ten' }, 'N', 7, { min: 1 })).toThrow(new UsageError('N must be an integer from 1, got "ten"'));
    expect(() => envInteger({ N: '99' }, 'N', 7, { min: 1, max: 10 })).toThrow('N must be an integer from 1 to 10, got "99"');
    expect(envList({ L: 'a, b,,c ' }, 'L', ['x'])).toEqual(['a', 'b', 'c']);
    expect(envList({}, 'L', ['x'])).toEqual(['x']);
  });

  it('reads the NATS settings with the services’ keys (TLS only when a TLS key is set)', () => {
    expect(readNatsSettings({})).toEqual({ url: DEFAULT_NATS_URL, credsFile: undefined, nkeySeedFile: undefined, user: undefined, password: undefined, timeoutMs: 5_000 });
    expect(readNatsSettings({ NATS_URL: 'nats://a:4222,nats://b:4222', NATS_NKEY_SEED_FILE: '/s.nk', NATS_PASSWORD: ' p ', NATS_TLS_CA: '/ca.pem' })).toMatchObject({
      url: 'nats://a:4222,nats://b:4222',
      nkeySeedFile: '/s.nk',
      password: ' p ',
      tls: { caFile: '/ca.pem', certFile: undefined, keyFile: undefined },
    });
  });

  it('takes DATABASE_URL over DATA_DIR, and refuses neither', () => {
    expect(readDatabaseTarget({ DATABASE_URL: 'postgres://x/y', DATA_DIR: '/d' })).toEqual({ databaseUrl: 'postgres://x/y' });
    expect(readDatabaseTarget({ DATA_DIR: '/d' })).toEqual({ dataDir: '/d' });
    expect(() => readDatabaseTarget({ DATABASE_URL: ' ' })).toThrow(UsageError);
  });
});
