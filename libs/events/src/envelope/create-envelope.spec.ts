import { describe, expect, it } from 'vitest';
import { sampleOrderConfirmed, sampleOrderConfirmedV1 as orderConfirmedV1 } from '../testing/sample-contracts.js';
import { InvalidEventError } from '../errors.js';
import { createEnvelope } from './create-envelope.js';
import { encodeEnvelope } from './encode-envelope.js';
import { parseEnvelope } from './parse-envelope.js';
import { createTraceparent } from './traceparent.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const data = sampleOrderConfirmed;

describe('createEnvelope', () => {
  it('builds a CloudEvents envelope with a UUIDv7 id, defaults for chain ids and the subject from the contract', () => {
    const before = Date.now();
    const envelope = createEnvelope({ contract: orderConfirmedV1, data, source: 'order', tenantId: 'demo', sequence: 2 });
    expect(envelope).toMatchObject({
      specversion: '1.0',
      source: 'order',
      type: 'order.confirmed.v1',
      subject: data.orderId,
      datacontenttype: 'application/json',
      tenantid: 'demo',
      sequence: 2,
    });
    expect(envelope.data).toBe(data);
    expect(envelope.id).toMatch(UUID_V7);
    expect(envelope.correlationid).toBe(envelope.id);
    expect(envelope.causationid).toBe(envelope.id);
    expect(Date.parse(envelope.time)).toBeGreaterThanOrEqual(before - 1);
    expect('traceparent' in envelope).toBe(false);
  });

  it('mints time-ordered ids', () => {
    const ids = Array.from({ length: 50 }, () => createEnvelope({ type: 'order.confirmed.v1', data, source: 'order', subject: 's', tenantId: 'demo', sequence: 1 }).id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });

  it('keeps given chain ids: causation defaults to the correlation', () => {
    const traceparent = createTraceparent();
    const envelope = createEnvelope({
      type: 'order.confirmed.v1',
      data,
      source: 'order',
      subject: 'o-1',
      tenantId: 'acme-eu',
      sequence: 9,
      correlationId: 'req-42',
      traceparent,
      id: '01890a5d-ac96-774b-bcce-b302099a8057',
      time: new Date('2026-01-31T12:00:00.000Z'),
    });
    expect(envelope).toMatchObject({
      id: '01890a5d-ac96-774b-bcce-b302099a8057',
      correlationid: 'req-42',
      causationid: 'req-42',
      subject: 'o-1',
      time: '2026-01-31T12:00:00.000Z',
      traceparent,
    });
    const caused = createEnvelope({ ...{ type: 'order.confirmed.v1', data, source: 'order', subject: 'o', tenantId: 't', sequence: 1 }, correlationId: 'req-42', causationId: envelope.id });
    expect(caused.causationid).toBe(envelope.id);
  });

  it('refuses bad attributes with an InvalidEventError naming each one', () => {
    try {
      createEnvelope({
        type: 'OrderConfirmed',
        data,
        source: '',
        subject: 'o-1',
        tenantId: 'Demo Tenant',
        sequence: 0,
        traceparent: 'garbage',
        time: 'yesterday',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).issues.map((i) => i.property).sort()).toEqual(['sequence', 'source', 'tenantid', 'time', 'traceparent', 'type']);
    }
  });

  it('refuses a missing subject when the contract cannot supply it', () => {
    expect(() => createEnvelope({ type: 'order.confirmed.v1', data, source: 'order', tenantId: 'demo', sequence: 1 })).toThrow(/subject/);
    expect(() => createEnvelope({ contract: orderConfirmedV1, data: { ...data, orderId: 42 as unknown as string }, source: 'order', tenantId: 'demo', sequence: 1 })).toThrow(
      InvalidEventError,
    );
  });

  it.each([1.5, -1, Number.MAX_SAFE_INTEGER + 2, Number.NaN])('refuses the sequence %d', (sequence) => {
    expect(() => createEnvelope({ contract: orderConfirmedV1, data, source: 'order', tenantId: 'demo', sequence })).toThrow(/sequence/);
  });
});

describe('encodeEnvelope', () => {
  it('round-trips through parseEnvelope unchanged', () => {
    const envelope = createEnvelope({ contract: orderConfirmedV1, data, source: 'order', tenantId: 'demo', sequence: 1, traceparent: createTraceparent() });
    const bytes = encodeEnvelope(envelope);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(parseEnvelope(bytes)).toEqual(envelope);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(envelope);
  });
});
