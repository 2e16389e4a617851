import { describe, expect, it } from 'vitest';
import { MalformedEnvelopeError } from '../errors.js';
import { createEnvelope } from './create-envelope.js';
import { encodeEnvelope } from './encode-envelope.js';
import { parseEnvelope } from './parse-envelope.js';
import { seededRandom as rng } from '../testing/seeded-random.js';

const base = createEnvelope({
  type: 'order.confirmed.v1',
  data: { orderId: '01890a5d-ac96-774b-bcce-b302099a8057', customerId: 'c-1', totalCents: 4498, currency: 'EUR' },
  source: 'order',
  subject: '01890a5d-ac96-774b-bcce-b302099a8057',
  tenantId: 'demo',
  sequence: 1,
  correlationId: 'req-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});
const baseJson = JSON.stringify(base);

/** The JSON of the base envelope with some attributes replaced (undefined removes one). */
function variant(patch: Record<string, unknown>): string {
  return JSON.stringify({ ...base, ...patch });
}

/** The MalformedEnvelopeError message for input (fails the test on success or on another error). */
function malformed(input: unknown): string {
  try {
    parseEnvelope(input as string);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedEnvelopeError);
    expect((error as MalformedEnvelopeError).code).toBe('EVT_MALFORMED_ENVELOPE');
    return (error as Error).message;
  }
  throw new Error(`expected parseEnvelope to refuse ${String(input).slice(0, 80)}`);
}

describe('parseEnvelope: valid input', () => {
  it('parses bytes, Buffers and strings to the same envelope', () => {
    expect(parseEnvelope(encodeEnvelope(base))).toEqual(base);
    expect(parseEnvelope(Buffer.from(baseJson))).toEqual(base);
    expect(parseEnvelope(baseJson)).toEqual(base);
  });

  it('defaults correlationid to the id and causationid to the correlation', () => {
    const parsed = parseEnvelope(variant({ correlationid: undefined, causationid: undefined }));
    expect(parsed.correlationid).toBe(base.id);
    expect(parsed.causationid).toBe(base.id);
    expect(parseEnvelope(variant({ causationid: undefined })).causationid).toBe('req-1');
  });

  it('drops an invalid traceparent and unknown attributes, keeps the rest', () => {
    const parsed = parseEnvelope(variant({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01', comexampleext: 'x' }));
    expect('traceparent' in parsed).toBe(false);
    expect('comexampleext' in parsed).toBe(false);
    expect(parsed.data).toEqual(base.data);
  });

  it('accepts a byte-order mark and surrounding whitespace', () => {
    expect(parseEnvelope(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(` ${baseJson}\n`)])).id).toBe(base.id);
  });

  it('accepts harmless \\u escapes and a "constructor" field that is not a prototype path', () => {
    const escaped = baseJson.replace('"c-1"', '"c\\u002d1"');
    expect((parseEnvelope(escaped).data as { customerId: string }).customerId).toBe('c-1');
    expect((parseEnvelope(variant({ data: { ...base.data, constructor: 'x' } })).data as Record<string, unknown>)['constructor']).toBe('x');
  });
});

describe('parseEnvelope: malformed input', () => {
  it.each([
    ['specversion', { specversion: '0.3' }],
    ['id', { id: 'not-a-uuid' }],
    ['id', { id: undefined }],
    ['source', { source: '' }],
    ['type', { type: 'OrderConfirmed' }],
    ['type', { type: 'order.confirmed' }],
    ['time', { time: 'yesterday' }],
    ['time', { time: 1769860800000 }],
    ['subject', { subject: undefined }],
    ['subject', { subject: 'x'.repeat(257) }],
    ['datacontenttype', { datacontenttype: 'text/plain' }],
    ['data', { data: undefined }],
    ['data', { data: null }],
    ['data', { data: [1, 2] }],
    ['data', { data: 'text' }],
    ['tenantid', { tenantid: 'Demo' }],
    ['tenantid', { tenantid: 'a.b' }],
    ['tenantid', { tenantid: undefined }],
    ['sequence', { sequence: 0 }],
    ['sequence', { sequence: -3 }],
    ['sequence', { sequence: 1.5 }],
    ['sequence', { sequence: '1' }],
    ['sequence', { sequence: undefined }],
    ['correlationid', { correlationid: 7 }],
    ['causationid', { causationid: '' }],
    ['traceparent', { traceparent: 42 }],
  ])('names the bad attribute %s', (attribute, patch) => {
    expect(malformed(variant(patch))).toContain(attribute);
  });

  it('lists every bad attribute in one message', () => {
    const message = malformed(variant({ tenantid: 'A', sequence: 0 }));
    expect(message).toMatch(/tenantid .*; sequence /);
  });

  it.each([
    ['huge', '1e400'],
    ['beyond 2^53', '12345678901234567890'],
    ['negative zero', '-0'],
  ])('refuses a %s sequence number', (_label, literal) => {
    expect(malformed(baseJson.replace('"sequence":1', `"sequence":${literal}`))).toContain('sequence');
  });

  it.each([
    ['empty bytes', new Uint8Array()],
    ['an empty string', ''],
    ['whitespace', '   '],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['a lone surrogate byte sequence', new Uint8Array([0xed, 0xa0, 0x80])],
    ['text', 'hello'],
    ['truncated JSON', baseJson.slice(0, -1)],
    ['a JSON array', JSON.stringify([base])],
    ['a JSON string', '"envelope"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['two JSON values', `${baseJson}${baseJson}`],
    ['a number', 42],
    ['undefined', undefined],
    ['an object', { ...base }],
    ['an ArrayBuffer', new ArrayBuffer(4)],
  ])('refuses %s', (_label, input) => {
    malformed(input);
  });

  it('survives pathological nesting', () => {
    malformed('['.repeat(200_000));
    malformed(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
  });
});

describe('parseEnvelope: prototype pollution', () => {
  const payloads = [
    `{"__proto__":{"polluted":"yes"},${baseJson.slice(1)}`,
    baseJson.replace('"data":{', '"data":{"__proto__":{"polluted":"yes"},'),
    baseJson.replace('"data":{', '"data":{"nested":[{"__proto__":{"polluted":"yes"}}],'),
    baseJson.replace('"data":{', '"data":{"\\u005f_proto__":{"polluted":"yes"},'),
    baseJson.replace('"data":{', '"data":{"constructor":{"prototype":{"polluted":"yes"}},'),
    baseJson.replace('"data":{', '"data":{"\\u0063onstructor":{"prototype":{"polluted":"yes"}},'),
  ];

  it.each(payloads.map((p, i) => [i, p]))('refuses dangerous key variant %i and pollutes nothing', (_i, payload) => {
    expect(malformed(payload)).toMatch(/__proto__|constructor\.prototype/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps a merge of parsed data harmless even on the fast path', () => {
    const parsed = parseEnvelope(baseJson);
    const merged = Object.assign({}, parsed.data);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

describe('parseEnvelope: fuzz', () => {
  function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
    const out = Array.from(bytes);
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * out.length);
      const op = random();
      if (op < 0.3) out[at] = Math.floor(random() * 256);
      else if (op < 0.5) out.splice(at, 1 + Math.floor(random() * 8));
      else if (op < 0.7) out.splice(at, 0, ...new TextEncoder().encode(['"', '{', '}', '[', ']', ',', ':', '\\u0000', '1e999', '-', 'null'][Math.floor(random() * 11)]!));
      else if (op < 0.85) out.length = Math.max(0, at);
      else out.splice(at, 0, Math.floor(random() * 256));
    }
    return new Uint8Array(out);
  }

  it('never throws anything but MalformedEnvelopeError on mutated and random input', () => {
    const random = rng(0x5eed);
    const valid = encodeEnvelope(base);
    const outcomes = { parsed: 0, malformed: 0, other: [] as string[] };
    for (let i = 0; i < 3000; i++) {
      const input =
        i % 3 === 0 ? Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)) : mutate(valid, random);
      try {
        const envelope = parseEnvelope(input);
        expect(typeof envelope.id).toBe('string');
        outcomes.parsed++;
      } catch (error) {
        if (error instanceof MalformedEnvelopeError) outcomes.malformed++;
        else outcomes.other.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    expect(outcomes.other).toEqual([]);
    expect(outcomes.malformed).toBeGreaterThan(1000);
    expect(outcomes.parsed + outcomes.malformed).toBe(3000);
  });
});
