import { newEventId } from '@platform/events';
import { startPlatformTestNats, type PlatformTestNats } from '@platform/events/testing';
import { describeServiceBoot, startTestService, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYMENT_GATEWAY, type SimulatedPaymentGateway } from './gateway/payment-gateway.js';
import type { PaymentServiceConfig } from './config.js';
import { paymentService } from './service.definition.js';

describeServiceBoot(paymentService);

describe('payment service against a provisioned NATS', () => {
  const tenant = 'acme';
  let nats: PlatformTestNats;
  let service: TestService<PaymentServiceConfig>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(paymentService, {
      NATS_URL: nats.url,
      GATEWAY_FAILURE_THRESHOLD: '2',
      GATEWAY_OPEN_MS: '1000',
      EVENT_RETRY_INITIAL_MS: '100',
      EVENT_RETRY_MAX_MS: '200',
    });
  });
  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  const orderCreated = (orderId: string, paymentToken = 'tok_visa') =>
    nats.publish({
      type: 'order.created.v2',
      tenantId: tenant,
      aggregateId: orderId,
      data: { orderId, customer: { id: 'c-1' }, items: [{ sku: 'SKU-001', quantity: 1, unitPriceCents: 1500 }], total: { amountCents: 1500, currency: 'USD' }, paymentToken },
    });
  const paymentsOf = async (orderId: string) => {
    const response = await fetch(`${service.url}/payments?orderId=${orderId}`, { headers: { 'x-tenant-id': tenant } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<{ status: string; amountCents: number }> }).items;
  };

  it('authorizes an order once, however often its event is delivered', async () => {
    const orderId = newEventId();
    const event = await orderCreated(orderId);
    // The same event again, under another message id so that JetStream does not drop it: the inbox does.
    await nats.republish(event);
    await vi.waitFor(async () => expect(await paymentsOf(orderId)).toEqual([expect.objectContaining({ status: 'authorized', amountCents: 1500 })]), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await nats.read('PAYMENTS')).filter((m) => (m.json as { data: { orderId: string } }).data.orderId === orderId)).toHaveLength(1), {
      timeout: 10_000,
    });
  });

  it('dead-letters a permanent error at once (the error class survives the hybrid app)', async () => {
    const orderId = newEventId();
    await nats.publish({ type: 'order.confirmed.v1', tenantId: tenant, aggregateId: orderId, data: { orderId, customerId: 'c-1', totalCents: 100, currency: 'USD' } });
    await vi.waitFor(
      async () => {
        const dead = (await nats.read('DLQ')).filter((m) => m.subject === `dlq.payment-orders.orders.${tenant}.confirmed`);
        expect(dead.map((m) => [m.headers['Dlq-Reason'], m.headers['Dlq-Delivery-Count']])).toEqual([['permanent_error', '1']]);
        expect(dead[0]!.headers['Dlq-Error']).toMatch(/PermanentError: order .* was confirmed but its payment is missing/);
      },
      { timeout: 10_000 },
    );
  });

  it('pauses the consumer while the gateway circuit is open and resumes when the gateway recovers', async () => {
    const gateway = service.app.get<SimulatedPaymentGateway>(PAYMENT_GATEWAY);
    const runner = service.runtime.transport!.consumerRunners[0]!;
    gateway.setOutage(true);
    const orders = [newEventId(), newEventId()];
    for (const orderId of orders) await orderCreated(orderId);
    await vi.waitFor(() => expect(runner.isPaused).toBe(true), { timeout: 10_000 });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^payment_gateway_circuit_state 1$/m);
    expect(metrics).toMatch(/^payment_gateway_requests_total\{operation="authorize",result="error"\} 2$/m);
    gateway.setOutage(false);
    for (const orderId of orders) {
      await vi.waitFor(async () => expect(await paymentsOf(orderId)).toEqual([expect.objectContaining({ status: 'authorized' })]), { timeout: 15_000 });
    }
    expect(runner.isPaused).toBe(false);
    expect((await nats.read('DLQ')).filter((m) => m.subject.includes('.created'))).toEqual([]);
  });
});
