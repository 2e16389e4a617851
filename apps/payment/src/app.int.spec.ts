import { newEventId } from '@platform/events';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { generatePaymentTokenKeys, PaymentTokenSealer } from '@platform/service-kit';
import { describeServiceBoot, startTestService, testAuth, TEST_PAYMENT_TOKEN_KEYS, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYMENT_GATEWAY, type SimulatedPaymentGateway } from './adapters/gateway/payment-gateway.js';
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
      ...nats.envFor('payment'),
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

  // What the order service publishes: order.created.v3 with the token sealed under the shared key.
  const sealer = PaymentTokenSealer.fromKeys(TEST_PAYMENT_TOKEN_KEYS);
  const orderCreated = (orderId: string, paymentToken = 'tok_visa', paymentTokenSealed = sealer.seal(paymentToken, { tenantId: tenant, orderId })) =>
    nats.publish({
      type: 'order.created.v3',
      tenantId: tenant,
      aggregateId: orderId,
      data: { orderId, customer: { id: 'c-1' }, items: [{ sku: 'SKU-001', quantity: 1, unitPriceCents: 1500 }], total: { amountCents: 1500, currency: 'USD' }, paymentTokenSealed },
    });
  // What an order service before v3 published (still in ORDERS' retention during the transition).
  const legacyOrderCreated = (orderId: string, paymentToken: string) =>
    nats.publish({
      type: 'order.created.v2',
      tenantId: tenant,
      aggregateId: orderId,
      data: { orderId, customer: { id: 'c-1' }, items: [{ sku: 'SKU-001', quantity: 1, unitPriceCents: 1500 }], total: { amountCents: 1500, currency: 'USD' }, paymentToken },
    });
  // What payment decided, read from its stream (no HTTP: independent of the API's authentication).
  const paymentEventsOf = async (orderId: string) =>
    (await nats.read('PAYMENTS')).map((m) => m.json as { type: string; data: { orderId: string } }).filter((e) => e.data.orderId === orderId).map((e) => e.type);
  const deadLettersOf = async (orderId: string) => (await nats.read('DLQ')).filter((m) => new TextDecoder().decode(m.data).includes(orderId));
  const paymentsOf = async (orderId: string) => {
    const response = await fetch(`${service.url}/payments?orderId=${orderId}`, { headers: { 'x-tenant-id': tenant, ...testAuth().bearer(testAuth().operator(tenant)) } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<{ status: string; amountCents: number }> }).items;
  };

  it('lists payments for an operator token of the tenant only: 401 without a token, 403 for a customer or another tenant', async () => {
    const auth = testAuth();
    const list = (headers: Record<string, string>) => fetch(`${service.url}/payments`, { headers });
    const anonymous = await list({ 'x-tenant-id': tenant });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const customer = await list({ 'x-tenant-id': tenant, ...auth.bearer(auth.customer(tenant, 'c-1')) });
    expect(customer.status).toBe(403);
    expect(await customer.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this endpoint needs the operator role' });
    expect((await list({ 'x-tenant-id': tenant, ...auth.bearer(auth.operator('globex')) })).status).toBe(403);
    const operator = await list(auth.bearer(auth.operator(tenant)));
    expect(operator.status).toBe(200);
    expect(await operator.json()).toEqual({ items: expect.any(Array) });
  });

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

  it('opens the sealed token: tok_visa is authorized, tok_decline declined', async () => {
    const [visa, declined] = [newEventId(), newEventId()];
    await orderCreated(visa, 'tok_visa');
    await orderCreated(declined, 'tok_decline');
    await vi.waitFor(async () => expect(await paymentEventsOf(visa)).toEqual(['payment.authorized.v1']), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await paymentEventsOf(declined)).toEqual(['payment.declined.v1']), { timeout: 10_000 });
  });

  it('still charges a legacy order.created v2 carrying its token in clear (transition)', async () => {
    const [visa, declined] = [newEventId(), newEventId()];
    await legacyOrderCreated(visa, 'tok_visa');
    await legacyOrderCreated(declined, 'tok_decline');
    await vi.waitFor(async () => expect(await paymentEventsOf(visa)).toEqual(['payment.authorized.v1']), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await paymentEventsOf(declined)).toEqual(['payment.declined.v1']), { timeout: 10_000 });
  });

  // The order's later facts, as the order service publishes them after order.created (sequence 1).
  const orderSettled = (type: 'order.confirmed.v1' | 'order.cancelled.v1', orderId: string, sequence: number) =>
    nats.publish({
      type,
      tenantId: tenant,
      aggregateId: orderId,
      sequence,
      data: { orderId, customerId: 'c-1', totalCents: 1500, currency: 'USD', ...(type === 'order.cancelled.v1' ? { reason: 'timeout' } : {}) },
    });

  it('voids an authorization when the order is cancelled, and refunds a capture when a confirmed order is cancelled', async () => {
    const voided = newEventId();
    await orderCreated(voided);
    await vi.waitFor(async () => expect(await paymentEventsOf(voided)).toEqual(['payment.authorized.v1']), { timeout: 10_000 });
    await orderSettled('order.cancelled.v1', voided, 2);
    await vi.waitFor(async () => expect(await paymentEventsOf(voided)).toEqual(['payment.authorized.v1', 'payment.voided.v1']), { timeout: 10_000 });
    expect(await paymentsOf(voided)).toEqual([expect.objectContaining({ status: 'voided' })]);

    const refunded = newEventId();
    await orderCreated(refunded);
    await vi.waitFor(async () => expect(await paymentEventsOf(refunded)).toEqual(['payment.authorized.v1']), { timeout: 10_000 });
    await orderSettled('order.confirmed.v1', refunded, 2);
    await vi.waitFor(async () => expect(await paymentEventsOf(refunded)).toEqual(['payment.authorized.v1', 'payment.captured.v1']), { timeout: 10_000 });
    await orderSettled('order.cancelled.v1', refunded, 3);
    await vi.waitFor(async () => expect(await paymentEventsOf(refunded)).toEqual(['payment.authorized.v1', 'payment.captured.v1', 'payment.refunded.v1']), { timeout: 10_000 });
    expect(await paymentsOf(refunded)).toEqual([expect.objectContaining({ status: 'refunded' })]);
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

  // Last: the dead letters it leaves would count in the circuit test's check of the DLQ.
  it('dead-letters at once, without the clear token, a sealed token that does not open: wrong key, tampered, or moved from another order', async () => {
    const wrongKey = newEventId();
    await orderCreated(wrongKey, 'tok_secret_wrong_key', PaymentTokenSealer.fromKeys(generatePaymentTokenKeys('test')).seal('tok_secret_wrong_key', { tenantId: tenant, orderId: wrongKey }));
    const unknownKey = newEventId();
    await orderCreated(unknownKey, 'tok_secret_unknown', PaymentTokenSealer.fromKeys(generatePaymentTokenKeys('k9')).seal('tok_secret_unknown', { tenantId: tenant, orderId: unknownKey }));
    const tampered = newEventId();
    const [format, kid, body] = sealer.seal('tok_secret_tampered', { tenantId: tenant, orderId: tampered }).split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[14] = bytes[14]! ^ 0x01; // a ciphertext byte
    await orderCreated(tampered, 'tok_secret_tampered', `${format}.${kid}.${bytes.toString('base64url')}`);
    const moved = newEventId();
    await orderCreated(moved, 'tok_secret_moved', sealer.seal('tok_secret_moved', { tenantId: tenant, orderId: newEventId() }));

    for (const [orderId, error] of [
      [wrongKey, /authentication failed under key "test"/],
      [unknownKey, /key id "k9" is not in PAYMENT_TOKEN_KEYS/],
      [tampered, /authentication failed/],
      [moved, /authentication failed/],
    ] as const) {
      await vi.waitFor(
        async () => {
          const dead = await deadLettersOf(orderId);
          expect(dead.map((m) => [m.subject, m.headers['Dlq-Reason'], m.headers['Dlq-Delivery-Count']])).toEqual([[`dlq.payment-orders.orders.${tenant}.created`, 'permanent_error', '1']]);
          expect(dead[0]!.headers['Dlq-Error']).toMatch(/PaymentTokenUnsealError: cannot open the sealed payment token of order/);
          expect(dead[0]!.headers['Dlq-Error']).toMatch(error);
          const copy = `${new TextDecoder().decode(dead[0]!.data)} ${JSON.stringify(dead[0]!.headers)}`;
          expect(copy).not.toMatch(/tok_secret/);
        },
        { timeout: 10_000 },
      );
      expect(await paymentEventsOf(orderId)).toEqual([]);
    }
    // No crash: the service is still ready and still authorizes the next order.
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    const next = newEventId();
    await orderCreated(next);
    await vi.waitFor(async () => expect(await paymentEventsOf(next)).toEqual(['payment.authorized.v1']), { timeout: 10_000 });
  });
});
