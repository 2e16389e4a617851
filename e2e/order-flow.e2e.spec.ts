import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { consumersOf, platformTopology } from '@platform/events';
import { readStream } from '@platform/events/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Platform, randomTenant, request, SERVICES, type ServiceName } from './harness/platform.js';

// Short clocks so that the slow paths (deadline, retries, redelivery after a crash) finish in seconds.
const ORDER_DEADLINE_MS = 8_000;
const ACK_WAIT_MS = 4_000;
const everyDurable = SERVICES.flatMap((service) => consumersOf(platformTopology(), service).map((c) => c.durable));

let platform: Platform;

beforeAll(async () => {
  platform = await Platform.start({
    env: { ORDER_DEADLINE_MS: String(ORDER_DEADLINE_MS), ORDER_DEADLINE_SWEEP_MS: '200', EVENT_RETRY_INITIAL_MS: '200', EVENT_RETRY_MAX_MS: '800' },
    topology: { overrides: { consumers: Object.fromEntries(everyDurable.map((durable) => [durable, { ackWaitMs: ACK_WAIT_MS }])) } },
  });
});

afterAll(async () => {
  await platform?.stop();
});

const api = (service: ServiceName, path: string, options: Parameters<typeof request>[1] = {}) => request(`${platform.url(service)}${path}`, options);

async function putProduct(tenant: string, sku: string, product: { name?: string; priceCents?: number; available?: number }) {
  const response = await api('inventory', `/products/${sku}`, { method: 'PUT', tenant, body: product });
  expect([200, 201]).toContain(response.status);
  return response.body;
}

/** A tenant with its own products; resolves once the order service has priced them in. */
async function tenantWithProducts(products: Record<string, { priceCents: number; available: number }>): Promise<string> {
  const tenant = randomTenant();
  for (const [sku, product] of Object.entries(products)) await putProduct(tenant, sku, { name: `Product ${sku}`, ...product });
  await platform.settled();
  return tenant;
}

async function placeOrder(tenant: string, body: unknown, headers: Record<string, string> = {}) {
  return api('order', '/orders', { method: 'POST', tenant, body, headers });
}

async function terminalOrder(tenant: string, orderId: string, timeout = 30_000) {
  return vi.waitFor(
    async () => {
      const { status, body } = await api('order', `/orders/${orderId}`, { tenant });
      expect(status).toBe(200);
      expect(['CONFIRMED', 'CANCELLED']).toContain(body.status);
      return body;
    },
    { timeout, interval: 50 },
  );
}

const product = (tenant: string, sku: string) => api('inventory', `/products/${sku}`, { tenant }).then((r) => r.body);
const payments = (tenant: string, orderId: string) => api('payment', `/payments?orderId=${orderId}`, { tenant }).then((r) => r.body.items as any[]);

describe('order flow, end to end (six services, NATS, PostgreSQL)', () => {
  it('serves the seeded demo catalogue', async () => {
    const { status, body } = await api('inventory', '/products', { tenant: 'demo' });
    expect(status).toBe(200);
    expect(body.items.length).toBeGreaterThanOrEqual(20);
    expect(body.items[0]).toMatchObject({ sku: 'SKU-001', priceCents: expect.any(Number), available: expect.any(Number), reserved: 0 });
  });

  it('happy path: confirmed, captured, stock decremented, points awarded, customer notified, counted', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 1250, available: 20 }, 'SKU-B': { priceCents: 399, available: 5 } });
    const created = await placeOrder(tenant, {
      customerId: 'c-1',
      items: [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 1 },
      ],
      paymentToken: 'tok_visa',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/orders/${created.body.orderId}`);
    expect(created.body).toMatchObject({
      status: 'PENDING',
      totalCents: 2899,
      currency: 'USD',
      items: [
        { sku: 'SKU-A', quantity: 2, unitPriceCents: 1250 },
        { sku: 'SKU-B', quantity: 1, unitPriceCents: 399 },
      ],
    });
    const orderId = created.body.orderId as string;

    const order = await terminalOrder(tenant, orderId);
    expect(order).toMatchObject({ status: 'CONFIRMED', customerId: 'c-1', totalCents: 2899 });
    expect(order.cancellationReason).toBeUndefined();
    await platform.settled();

    expect(await payments(tenant, orderId)).toEqual([expect.objectContaining({ orderId, status: 'captured', amountCents: 2899 })]);
    expect(await product(tenant, 'SKU-A')).toMatchObject({ available: 18, reserved: 0 });
    expect(await product(tenant, 'SKU-B')).toMatchObject({ available: 4, reserved: 0 });
    expect((await api('loyalty', '/loyalty/c-1', { tenant })).body).toMatchObject({ customerId: 'c-1', points: 28 });
    const notifications = (await api('notification', `/notifications?orderId=${orderId}`, { tenant })).body.items;
    expect(notifications).toEqual([expect.objectContaining({ template: 'order-confirmed', orderId })]);
    expect((await api('analytics', '/analytics/summary', { tenant })).body).toMatchObject({ ordersCreated: 1, ordersConfirmed: 1, ordersCancelled: 0, revenueCents: 2899 });
    const history = (await api('order', `/orders/${orderId}`, { tenant })).body.history.map((h: { type: string }) => h.type);
    expect(history).toEqual(expect.arrayContaining(['order.created', 'payment.authorized', 'inventory.reserved', 'order.confirmed', 'payment.captured', 'inventory.committed']));
  });

  it('tok_decline: cancelled with payment_declined, stock restored to its prior level', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 500, available: 7 } });
    const created = await placeOrder(tenant, { customerId: 'c-2', items: [{ sku: 'SKU-A', quantity: 3 }], paymentToken: 'tok_decline' });
    expect(created.status).toBe(201);
    const order = await terminalOrder(tenant, created.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'payment_declined' });
    await platform.settled();
    expect(await product(tenant, 'SKU-A')).toMatchObject({ available: 7, reserved: 0 });
    expect(await payments(tenant, created.body.orderId)).toEqual([expect.objectContaining({ status: 'declined' })]);
    expect((await api('loyalty', '/loyalty/c-2', { tenant })).body.points).toBe(0);
    const notifications = (await api('notification', `/notifications?orderId=${created.body.orderId}`, { tenant })).body.items;
    expect(notifications).toEqual([expect.objectContaining({ template: 'order-cancelled' })]);
  });

  it('out of stock: cancelled with out_of_stock, the authorization voided, nothing oversold', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 500, available: 2 } });
    const created = await placeOrder(tenant, { customerId: 'c-3', items: [{ sku: 'SKU-A', quantity: 5 }], paymentToken: 'tok_visa' });
    const order = await terminalOrder(tenant, created.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'out_of_stock' });
    await vi.waitFor(async () => expect(await payments(tenant, created.body.orderId)).toEqual([expect.objectContaining({ status: 'voided' })]), { timeout: 15_000 });
    expect(await product(tenant, 'SKU-A')).toMatchObject({ available: 2, reserved: 0 });
  });

  it('50 concurrent orders for 10 units: exactly 10 confirmed, stock 0, never negative', async () => {
    const tenant = await tenantWithProducts({ 'SKU-LAST': { priceCents: 100, available: 10 } });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => placeOrder(tenant, { customerId: `c-race-${i}`, items: [{ sku: 'SKU-LAST', quantity: 1 }], paymentToken: 'tok_visa' })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const orders = await Promise.all(responses.map((r) => terminalOrder(tenant, r.body.orderId)));
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(10);
    expect(orders.filter((o) => o.status === 'CANCELLED').every((o) => o.cancellationReason === 'out_of_stock')).toBe(true);
    await platform.settled();
    expect(await product(tenant, 'SKU-LAST')).toMatchObject({ available: 0, reserved: 0 });
    expect((await api('analytics', '/analytics/summary', { tenant })).body).toMatchObject({ ordersConfirmed: 10, ordersCancelled: 40 });
  });

  it('tok_gateway_error: retried, dead-lettered with its reason, cancelled by deadline with every compensation done', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 700, available: 9 } });
    const created = await placeOrder(tenant, { customerId: 'c-4', items: [{ sku: 'SKU-A', quantity: 4 }], paymentToken: 'tok_gateway_error' });
    const orderId = created.body.orderId as string;
    // The reservation happens while payment retries.
    await vi.waitFor(async () => expect(await product(tenant, 'SKU-A')).toMatchObject({ available: 5, reserved: 4 }), { timeout: 10_000 });
    const order = await terminalOrder(tenant, orderId, ORDER_DEADLINE_MS + 15_000);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'timeout' });
    await platform.settled();
    expect(await product(tenant, 'SKU-A')).toMatchObject({ available: 9, reserved: 0 });
    expect(await payments(tenant, orderId)).toEqual([expect.objectContaining({ status: 'cancelled' })]);

    const nc = await connect({ servers: platform.nats.url });
    try {
      const dead = (await readStream(await jetstreamManager(nc), 'DLQ')).filter((m) => m.subject === `dlq.payment-orders.orders.${tenant}.created`);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.headers).toMatchObject({ 'Dlq-Reason': 'retries_exhausted', 'Dlq-Consumer': 'payment-orders', 'Dlq-Delivery-Count': '4' });
      expect(dead[0]!.headers['Dlq-Error']).toMatch(/gateway error/);
    } finally {
      await nc.close();
    }
  });

  it('the same Idempotency-Key and body twice is one order; with another body it is refused with 422', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 100, available: 50 } });
    const body = { customerId: 'c-idem', items: [{ sku: 'SKU-A', quantity: 1 }], paymentToken: 'tok_visa' };
    const headers = { 'idempotency-key': 'key-123' };
    const [first, second] = await Promise.all([placeOrder(tenant, body, headers), placeOrder(tenant, body, headers)]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.orderId).toBe(first.body.orderId);
    const third = await placeOrder(tenant, body, headers);
    expect(third.body.orderId).toBe(first.body.orderId);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    const different = await placeOrder(tenant, { ...body, items: [{ sku: 'SKU-A', quantity: 2 }] }, headers);
    expect(different.status).toBe(422);
    expect(different.body).toMatchObject({ statusCode: 422, message: expect.stringMatching(/Idempotency-Key/) });
    const list = await api('order', '/orders?customerId=c-idem', { tenant });
    expect(list.body.items).toHaveLength(1);
  });

  it('tenant isolation: another tenant cannot read the order (404) and has its own stock', async () => {
    const tenantA = await tenantWithProducts({ 'SKU-SHARED': { priceCents: 100, available: 10 } });
    const tenantB = await tenantWithProducts({ 'SKU-SHARED': { priceCents: 900, available: 3 } });
    const created = await placeOrder(tenantA, { customerId: 'c-5', items: [{ sku: 'SKU-SHARED', quantity: 4 }], paymentToken: 'tok_visa' });
    expect(created.body.totalCents).toBe(400);
    await terminalOrder(tenantA, created.body.orderId);
    await platform.settled();
    const foreign = await api('order', `/orders/${created.body.orderId}`, { tenant: tenantB });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await api('order', '/orders', { tenant: tenantB })).body.items).toEqual([]);
    expect(await product(tenantA, 'SKU-SHARED')).toMatchObject({ available: 6 });
    expect(await product(tenantB, 'SKU-SHARED')).toMatchObject({ available: 3, priceCents: 900 });
    expect((await api('payment', `/payments?orderId=${created.body.orderId}`, { tenant: tenantB })).body.items).toEqual([]);
  });
});
