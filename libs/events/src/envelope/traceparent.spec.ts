import { describe, expect, it } from 'vitest';
import { childTraceparent, createTraceparent, formatTraceparent, isValidTraceparent, parseTraceparent } from './traceparent.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent', () => {
  it('parses a valid version-00 header', () => {
    expect(parseTraceparent(VALID)).toEqual({
      version: '00',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      flags: 1,
      sampled: true,
    });
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.sampled).toBe(false);
  });

  it.each([
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['a short span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01'],
    ['trailing data on version 00', `${VALID}-extra`],
    ['a missing field', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7'],
    ['other separators', '00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01'],
    ['an empty string', ''],
  ])('rejects %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(isValidTraceparent(value)).toBe(false);
  });

  it.each([undefined, null, 42, {}, ['00']])('rejects a non-string: %j', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts a later version with extra fields, ignoring them', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds')?.traceId).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });
});

describe('creating traceparents', () => {
  it('creates valid, distinct root traceparents, sampled by default', () => {
    const a = createTraceparent();
    const b = createTraceparent();
    expect(isValidTraceparent(a)).toBe(true);
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(parseTraceparent(a)!.traceId).not.toBe(parseTraceparent(b)!.traceId);
    expect(createTraceparent({ sampled: false })).toMatch(/-00$/);
  });

  it('derives a child: same trace and sampling, new span', () => {
    const child = childTraceparent(VALID);
    const parsed = parseTraceparent(child)!;
    expect(parsed.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parsed.spanId).not.toBe('00f067aa0ba902b7');
    expect(parsed.sampled).toBe(true);
    expect(parseTraceparent(childTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'))!.sampled).toBe(false);
  });

  it('downgrades a later-version parent to version 00', () => {
    expect(childTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x')).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);
  });

  it('starts a new trace when the parent is absent or invalid', () => {
    const fromNothing = parseTraceparent(childTraceparent(undefined));
    const fromGarbage = parseTraceparent(childTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'));
    expect(fromNothing).toBeDefined();
    expect(fromGarbage).toBeDefined();
    expect(fromGarbage!.traceId).not.toBe('0'.repeat(32));
  });

  it('refuses to format an invalid context', () => {
    expect(() => formatTraceparent({ traceId: '0'.repeat(32), spanId: '00f067aa0ba902b7' })).toThrow(TypeError);
  });
});
