import { describe, expect, it } from 'vitest';
import { MalformedEnvelopeError } from '../../errors.js';
import { FakeMessage } from '../../testing/fake-message.js';
import { decode, tryDecode } from './decode.js';
import { messageOf, orderEvent } from './stage.fixtures.js';
import { Rejection } from './types.js';

const bytes = (text: string) => new FakeMessage('orders.acme.created', new TextEncoder().encode(text));

describe('decode (envelope parsing)', () => {
  it('gives the envelope of a message that is one', () => {
    const event = orderEvent();
    expect(tryDecode(messageOf(event))).toEqual(event);
    expect(decode(messageOf(event))).toEqual(event);
  });

  it('gives nothing for a payload that is not an envelope, and its malformed_envelope rejection with the parser’s error', () => {
    const cases = [bytes('garbage'), bytes('[1, 2]'), bytes(JSON.stringify({ ...orderEvent(), id: 'not-a-uuid' })), new FakeMessage('orders.acme.created', new Uint8Array([0xff, 0x00]))];
    expect(cases.map((m) => tryDecode(m))).toEqual([undefined, undefined, undefined, undefined]);
    const rejections = cases.map((m) => decode(m));
    expect(rejections.map((r) => r instanceof Rejection && r.reason)).toEqual(['malformed_envelope', 'malformed_envelope', 'malformed_envelope', 'malformed_envelope']);
    expect(rejections.map((r) => (r as Rejection).error instanceof MalformedEnvelopeError)).toEqual([true, true, true, true]);
    expect(((rejections[2] as Rejection).error as Error).message).toMatch(/\bid\b/);
  });
});
