import type { ConsumerControl } from '@platform/service-kit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PaymentMetrics } from '../../application/payment.metrics.js';
import type { PaymentServiceConfig } from '../../config.js';
import { CircuitPaymentGateway } from './circuit-payment-gateway.js';
import { GatewayCircuit } from './gateway-circuit.js';
import { SimulatedPaymentGateway } from './payment-gateway.js';

function setUp() {
  const registry = new Registry();
  const consumers = { pause: () => undefined, resume: () => undefined } as unknown as ConsumerControl;
  const config = { GATEWAY_FAILURE_THRESHOLD: 5, GATEWAY_OPEN_MS: 1000 } as PaymentServiceConfig;
  const client = new SimulatedPaymentGateway();
  const gateway = new CircuitPaymentGateway(client, new GatewayCircuit(consumers, config, new PaymentMetrics(registry)));
  const requests = async () => (await registry.getSingleMetricAsString('payment_gateway_requests_total')).split('\n').filter((line) => !line.startsWith('#'));
  return { gateway, client, requests };
}

const settle = { idempotencyKey: 'acme:o-1:capture', reference: 'auth_1', amountCents: 100 };

describe('CircuitPaymentGateway', () => {
  it('passes every call to the client through the circuit, counted by operation and result (a decline is an answer)', async () => {
    const { gateway, requests } = setUp();
    await expect(gateway.authorize({ idempotencyKey: 'k1', token: 'tok_visa', amountCents: 100, currency: 'USD' })).resolves.toMatchObject({ approved: true });
    await expect(gateway.authorize({ idempotencyKey: 'k2', token: 'tok_decline', amountCents: 100, currency: 'USD' })).resolves.toEqual({ approved: false, reason: 'card_declined' });
    await gateway.capture(settle);
    await gateway.void(settle);
    await gateway.refund(settle);
    expect(await requests()).toEqual([
      'payment_gateway_requests_total{operation="authorize",result="ok"} 1',
      'payment_gateway_requests_total{operation="authorize",result="declined"} 1',
      'payment_gateway_requests_total{operation="capture",result="ok"} 1',
      'payment_gateway_requests_total{operation="void",result="ok"} 1',
      'payment_gateway_requests_total{operation="refund",result="ok"} 1',
    ]);
  });

  it('counts a transient failure as an error and rethrows it', async () => {
    const { gateway, client, requests } = setUp();
    client.setOutage(true);
    await expect(gateway.capture(settle)).rejects.toThrow('payment gateway unavailable');
    expect(await requests()).toEqual(['payment_gateway_requests_total{operation="capture",result="error"} 1']);
  });
});
