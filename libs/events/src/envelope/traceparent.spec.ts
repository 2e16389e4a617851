import { describe, expect, it } from 'vitest';
import { childTraceparent, createTraceparent, formatTraceparent, isValidTraceparent, newSpanId, newTraceId, parseTraceparent } from './traceparent.js';

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

describe('trace and span ids (pooled random bytes)', () => {
  // Far more ids than one fill of the pool holds (8 KiB = 341 trace + span id pairs).
  const COUNT = 50_000;

  it('are lower-case hex of the W3C lengths, never all zero, and unique across pool refills', () => {
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    const bad: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const traceId = newTraceId();
      const spanId = newSpanId();
      if (!/^[0-9a-f]{32}$/.test(traceId) || /^0+$/.test(traceId)) bad.push(traceId);
      if (!/^[0-9a-f]{16}$/.test(spanId) || /^0+$/.test(spanId)) bad.push(spanId);
      traceIds.add(traceId);
      spanIds.add(spanId);
    }
    expect(bad).toEqual([]);
    expect(traceIds.size).toBe(COUNT);
    expect(spanIds.size).toBe(COUNT);
  });

  it('use every hex digit evenly (no stuck or reused bytes)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 5_000; i++) for (const digit of newTraceId()) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    expect(counts.size).toBe(16);
    // 160 000 digits, 10 000 expected per digit; ±10% is more than 20 standard deviations.
    for (const count of counts.values()) expect(Math.abs(count - 10_000)).toBeLessThan(1_000);
  });

  it('never give a span id equal to the one it must differ from', () => {
    const parent = newSpanId();
    const children = Array.from({ length: 1_000 }, () => newSpanId(parent));
    expect(children).not.toContain(parent);
  });

  it('make valid traceparents, new ones unique, children keeping the trace', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const root = createTraceparent();
      const child = childTraceparent(root);
      const ok = isValidTraceparent(root) && isValidTraceparent(child) && child.slice(0, 36) === root.slice(0, 36) && child.slice(36, 52) !== root.slice(36, 52);
      if (!ok) bad.push(`${root} -> ${child}`);
      seen.add(root.slice(3, 35));
    }
    expect(bad).toEqual([]);
    expect(seen.size).toBe(10_000);
  });

  it('parses a repeated traceparent to the same frozen result', () => {
    const first = parseTraceparent(VALID);
    expect(parseTraceparent(VALID)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseTraceparent(`${VALID.slice(0, 54)}0`)?.sampled).toBe(false);
    expect(parseTraceparent(VALID)).toEqual(first);
  });
});
