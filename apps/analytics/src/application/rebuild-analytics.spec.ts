import { createEnvelope, encodeEnvelope } from '@platform/events';
import { createPlatformRegistry, platformExamplePayloads } from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import { decodeForAnalytics } from './rebuild-analytics.js';

const registry = createPlatformRegistry();

function encoded(type: string, data: object): Uint8Array {
  return encodeEnvelope(createEnvelope({ type, data, source: 'order', subject: 'o-1', tenantId: 'acme', sequence: 1 }));
}

describe('decodeForAnalytics (replay decoding)', () => {
  it('upcasts a stored order.created.v1 to the v3 the handlers take, keeping id and tenant, dropping the clear token', () => {
    const event = decodeForAnalytics(registry, encoded('order.created.v1', platformExamplePayloads['order.created.v1']));
    expect(event).toMatchObject({ type: 'order.created.v3', tenantid: 'acme', data: { customer: { id: 'c-1' }, total: { amountCents: 4498, currency: 'EUR' } } });
    expect(JSON.stringify(event.data)).not.toContain('tok_');
  });

  it('passes an event already at the handled version through', () => {
    const event = decodeForAnalytics(registry, encoded('payment.captured.v1', platformExamplePayloads['payment.captured.v1']));
    expect(event).toMatchObject({ type: 'payment.captured.v1', data: platformExamplePayloads['payment.captured.v1'] });
  });

  it('refuses a malformed envelope, an unknown type and an invalid payload', () => {
    expect(() => decodeForAnalytics(registry, 'not json')).toThrow(/envelope is not JSON/);
    expect(() => decodeForAnalytics(registry, encoded('order.shipped.v1', { orderId: 'x' }))).toThrow(/order\.shipped\.v1/);
    expect(() => decodeForAnalytics(registry, encoded('order.confirmed.v1', { ...platformExamplePayloads['order.confirmed.v1'], totalCents: 1.5 }))).toThrow(
      /totalCents/,
    );
  });
});
