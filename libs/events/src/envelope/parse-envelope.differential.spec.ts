import { describe, expect, it } from 'vitest';
import { MalformedEnvelopeError } from '../errors.js';
import { parseEventType } from '../subjects/subjects.js';
import { seededRandom } from '../testing/seeded-random.js';
import { createEnvelope } from './create-envelope.js';
import { TENANT_ID_PATTERN } from './envelope.js';
import { envelopeAttributeIssues, hasValidEnvelopeAttributes, isJsonObject, isRfc3339Timestamp, MAX_ATTRIBUTE_LENGTH, preview, UUID_PATTERN } from './envelope-attributes.js';
import { parseEnvelope } from './parse-envelope.js';
import { isValidTraceparent, parseTraceparent } from './traceparent.js';

// The decoder before its hot path was made allocation-free (attribute checks without an issue
// list, remembered event types and traceparents, no spread), kept verbatim as the reference:
// the fast one must give every input the same verdict, the same envelope and the same message.

function referenceIssues(candidate: Readonly<Record<string, unknown>>): Array<{ property: string; messages: string[] }> {
  const issues: Array<{ property: string; messages: string[] }> = [];
  const fail = (property: string, message: string): void => {
    issues.push({ property, messages: [`${message}, got ${preview(candidate[property])}`] });
  };
  const bounded = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= MAX_ATTRIBUTE_LENGTH;
  const matches = (value: unknown, pattern: RegExp) => typeof value === 'string' && pattern.test(value);
  const isEventType = (value: unknown) => {
    if (typeof value !== 'string' || value.length > MAX_ATTRIBUTE_LENGTH) return false;
    try {
      parseEventType(value);
      return true;
    } catch {
      return false;
    }
  };
  if (candidate['specversion'] !== '1.0') fail('specversion', 'must be "1.0"');
  if (!matches(candidate['id'], UUID_PATTERN)) fail('id', 'must be a UUID');
  if (!bounded(candidate['source'])) fail('source', `must be a non-empty string of at most ${MAX_ATTRIBUTE_LENGTH} characters`);
  if (!isEventType(candidate['type'])) fail('type', 'must be a versioned event type <producer>.<event-name>.v<N>');
  if (!isRfc3339Timestamp(candidate['time'])) fail('time', 'must be an RFC 3339 timestamp');
  if (!bounded(candidate['subject'])) fail('subject', `must be a non-empty string of at most ${MAX_ATTRIBUTE_LENGTH} characters`);
  if (candidate['datacontenttype'] !== 'application/json') fail('datacontenttype', 'must be "application/json"');
  if (!isJsonObject(candidate['data'])) fail('data', 'must be a JSON object');
  if (!matches(candidate['tenantid'], TENANT_ID_PATTERN)) fail('tenantid', `must match ${TENANT_ID_PATTERN}`);
  const sequence = candidate['sequence'];
  if (!(typeof sequence === 'number' && Number.isSafeInteger(sequence) && sequence >= 1)) fail('sequence', 'must be a positive integer');
  for (const property of ['correlationid', 'causationid']) {
    const value = candidate[property];
    if (value !== undefined && !bounded(value)) fail(property, `must be a non-empty string of at most ${MAX_ATTRIBUTE_LENGTH} characters`);
  }
  if (candidate['traceparent'] !== undefined && typeof candidate['traceparent'] !== 'string') fail('traceparent', 'must be a string');
  return issues;
}

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function referenceTraceparentValid(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 55) return false;
  const match = TRACEPARENT_PATTERN.exec(value);
  if (!match) return false;
  const [, version, traceId, spanId, , rest] = match;
  if (version === 'ff') return false;
  if (version === '00' && rest !== undefined) return false;
  return traceId !== '0'.repeat(32) && spanId !== '0'.repeat(16);
}

/** The old parseEnvelope after the JSON step (decoding and JSON are unchanged), on a parsed value. */
function referenceEnvelope(raw: unknown): Record<string, unknown> {
  if (!isJsonObject(raw)) throw new MalformedEnvelopeError(`envelope must be a JSON object, got ${preview(raw)}`);
  const issues = referenceIssues(raw);
  if (issues.length > 0) {
    throw new MalformedEnvelopeError(`malformed envelope: ${issues.map((issue) => `${issue.property} ${issue.messages.join(', ')}`).join('; ')}`);
  }
  const id = raw['id'] as string;
  const correlationid = (raw['correlationid'] as string | undefined) ?? id;
  const traceparent = raw['traceparent'];
  return {
    specversion: '1.0',
    id,
    source: raw['source'],
    type: raw['type'],
    time: raw['time'],
    subject: raw['subject'],
    datacontenttype: 'application/json',
    data: raw['data'],
    tenantid: raw['tenantid'],
    sequence: raw['sequence'],
    correlationid,
    causationid: (raw['causationid'] as string | undefined) ?? correlationid,
    ...(referenceTraceparentValid(traceparent) ? { traceparent } : {}),
  };
}

function verdict(run: () => unknown): { ok: true; json: string; keys: string[] } | { ok: false; message: string } {
  try {
    const value = run() as Record<string, unknown>;
    return { ok: true, json: JSON.stringify(value), keys: Object.keys(value) };
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedEnvelopeError);
    return { ok: false, message: (error as Error).message };
  }
}

const base = createEnvelope({
  type: 'order.confirmed.v1',
  data: { orderId: '01890a5d-ac96-774b-bcce-b302099a8057', customerId: 'c-1', totalCents: 4498, currency: 'EUR' },
  source: 'order',
  subject: '01890a5d-ac96-774b-bcce-b302099a8057',
  tenantId: 'demo',
  sequence: 7,
  correlationId: 'req-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

/** Values worth trying for any attribute: the valid ones of every attribute and near misses. */
const CANDIDATES: unknown[] = [
  undefined, null, true, 0, 1, -1, 1.5, 2 ** 53, 2 ** 53 - 1, '', ' ', '1', 'x', 'x'.repeat(256), 'x'.repeat(257), [], [1], {}, { a: 1 },
  '1.0', '0.3', 'application/json', 'text/plain', 'demo', 'Demo', 'a.b', 'a'.repeat(63), 'a'.repeat(64), '-a',
  '01890a5d-ac96-774b-bcce-b302099a8057', '01890A5D-AC96-774B-BCCE-B302099A8057', '01890a5d-ac96-974b-bcce-b302099a8057',
  '01890a5d-ac96-774b-ccce-b302099a8057', '01890a5d-ac96-774b-bcce-b302099a805', '01890a5d-ac96-074b-bcce-b302099a8057',
  'order.confirmed.v1', 'order.confirmed.v0', 'order.confirmed', 'Order.confirmed.v1', 'order.created.v12', 'a.b.v1', `${'a'.repeat(250)}.b.v1`,
  '2026-01-31T12:00:00.000Z', '2026-02-30T12:00:00Z', '2024-02-29T23:59:60+01:00', '2026-01-31T24:00:00Z', '2026-01-31t12:00:00z', 'yesterday',
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
  '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
  '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more',
];
const ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'data', 'tenantid', 'sequence', 'correlationid', 'causationid', 'traceparent', 'extra'];

describe('parseEnvelope: differential against the reference decoder', () => {
  it('gives every attribute mix the same verdict, envelope and message', () => {
    const random = seededRandom(0xd1ff);
    const mismatches: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const candidate: Record<string, unknown> = { ...base };
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const attribute = ATTRIBUTES[Math.floor(random() * ATTRIBUTES.length)]!;
        const value = CANDIDATES[Math.floor(random() * CANDIDATES.length)];
        if (value === undefined) delete candidate[attribute];
        else candidate[attribute] = value;
      }
      const text = JSON.stringify(candidate);
      const expected = verdict(() => referenceEnvelope(JSON.parse(text)));
      const actual = verdict(() => parseEnvelope(text));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${text}\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}`);
      if (expected.ok) accepted++;
      // The allocation-free check and the issue list agree.
      if (hasValidEnvelopeAttributes(candidate) !== (envelopeAttributeIssues(candidate).length === 0)) mismatches.push(`check disagrees: ${text}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19_000);
  });

  it('agrees with the reference on traceparents, including repeated and alternating values', () => {
    const random = seededRandom(0x7ace);
    const values = CANDIDATES.filter((value): value is string => typeof value === 'string');
    for (let i = 0; i < 5_000; i++) {
      const value = values[Math.floor(random() * values.length)]!;
      // Copies defeat string identity: the remembered result must follow the content.
      const copy = random() < 0.5 ? value : `${value.slice(0, 1)}${value.slice(1)}`;
      expect(isValidTraceparent(copy)).toBe(referenceTraceparentValid(value));
      expect(parseTraceparent(copy)?.traceId).toBe(referenceTraceparentValid(value) ? value.slice(3, 35) : undefined);
    }
  });
});
