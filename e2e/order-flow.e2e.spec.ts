import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { consumersOf, createEnvelope, encodeEnvelope, JetStreamPublisher } from '@platform/events';
import { createNatsIdentity } from '@platform/events-ops';
import { platformTopology, subjectFor } from '@platform/contracts';
import { freePort } from '@platform/events/testing';
import { testAuth } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { customerToken, operatorToken, Platform, randomTenant, request, ServiceProcess, SERVICES, type ServiceName } from './harness/platform.js';

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

/** A request to a service, by default with an operator token of `options.tenant` (none without a tenant). */
const api = (service: ServiceName, path: string, options: Parameters<typeof request>[1] = {}) =>
  request(`${platform.url(service)}${path}`, { token: options.tenant === undefined ? undefined : operatorToken(options.tenant), ...options });

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

/** POST /orders as the customer itself (its own token: the rate limit is per token, as in production). */
async function placeOrder(tenant: string, body: unknown, headers: Record<string, string> = {}) {
  const customerId = (body as { customerId?: unknown } | undefined)?.customerId;
  const token = typeof customerId === 'string' ? customerToken(tenant, customerId) : operatorToken(tenant);
  return api('order', '/orders', { method: 'POST', tenant, token, body, headers });
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

    const dead = (await platform.nats.read('DLQ')).filter((m) => m.subject === `dlq.payment-orders.orders.${tenant}.created`);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers).toMatchObject({ 'Dlq-Reason': 'retries_exhausted', 'Dlq-Consumer': 'payment-orders', 'Dlq-Delivery-Count': '4' });
    expect(dead[0]!.headers['Dlq-Error']).toMatch(/gateway error/);
    // The dead-letter copy is the original order.created.v3: its token sealed, never in clear.
    expect((dead[0]!.json as { type: string }).type).toBe('order.created.v3');
    expect(`${new TextDecoder().decode(dead[0]!.data)} ${JSON.stringify(dead[0]!.headers)}`).not.toContain('tok_gateway_error');
  });

  it('the card token is never in clear on the bus: order.created carries it sealed, and payment still authorizes and declines', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 300, available: 10 } });
    const visa = await placeOrder(tenant, { customerId: 'c-seal', items: [{ sku: 'SKU-A', quantity: 1 }], paymentToken: 'tok_visa' });
    const declined = await placeOrder(tenant, { customerId: 'c-seal', items: [{ sku: 'SKU-A', quantity: 1 }], paymentToken: 'tok_decline' });
    expect(await terminalOrder(tenant, visa.body.orderId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await terminalOrder(tenant, declined.body.orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'payment_declined' });
    await platform.settled();

    const created = (await platform.nats.read('ORDERS')).filter((m) => m.subject === `orders.${tenant}.created`);
    expect(created.map((m) => (m.json as { data: { orderId: string } }).data.orderId).sort()).toEqual([visa.body.orderId, declined.body.orderId].sort());
    for (const message of created) {
      const event = message.json as { type: string; data: Record<string, unknown> };
      expect(event.type).toBe('order.created.v3');
      expect(event.data['paymentToken']).toBeUndefined();
      expect(event.data['paymentTokenSealed']).toMatch(/^pt1\.e2e\.[A-Za-z0-9_-]+$/);
      expect(`${new TextDecoder().decode(message.data)} ${JSON.stringify(message.headers)}`).not.toMatch(/tok_(visa|decline)/);
    }
    const dead = (await platform.nats.read('DLQ')).filter((m) => m.subject.includes(`.orders.${tenant}.`));
    expect(dead).toEqual([]);
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

  it('a forged payment.authorized is refused by the server and by the consumers: the unpaid order is cancelled, nothing committed or awarded', async () => {
    const tenant = await tenantWithProducts({ 'SKU-F': { priceCents: 900, available: 6 } });
    const created = await placeOrder(tenant, { customerId: 'c-forge', items: [{ sku: 'SKU-F', quantity: 2 }], paymentToken: 'tok_gateway_error' });
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;
    await vi.waitFor(async () => expect(await product(tenant, 'SKU-F')).toMatchObject({ available: 4, reserved: 2 }), { timeout: 10_000 });

    // While payment retries, someone publishes "payment authorized" for it, with a fresh aggregate and sequence 1.
    const forged = createEnvelope({
      source: 'payment',
      type: 'payment.authorized.v1',
      tenantId: tenant,
      subject: randomUUID(),
      sequence: 1,
      data: { paymentId: randomUUID(), orderId, amountCents: 1800, currency: 'EUR' },
    });
    // 1. Anonymously: the connection itself is refused.
    await expect(connect({ servers: platform.nats.url, reconnect: false, timeout: 2000 })).rejects.toThrow(/authorization/i);
    // 2. With another service's identity (a compromised inventory): the payments subject is not its to publish.
    const inventory = await platform.nats.connect('inventory');
    try {
      const publisher = new JetStreamPublisher(jetstream(inventory));
      await expect(publisher.publish(subjectFor(forged.type, tenant), encodeEnvelope(forged), { msgId: forged.id })).rejects.toThrow();
      // 3. On its own subjects the server lets it publish, but the body claims to be payment's event:
      //    the order service's consumer refuses the envelope that disagrees with its subject.
      await publisher.publish(`inventory.${tenant}.authorized`, encodeEnvelope(forged), { msgId: `${forged.id}-own-subject` });
    } finally {
      await inventory.close();
    }

    const order = await terminalOrder(tenant, orderId, ORDER_DEADLINE_MS + 15_000);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'timeout' });
    expect(order.history.map((h: { type: string }) => h.type)).not.toContain('payment.authorized');
    await platform.settled();
    expect(await product(tenant, 'SKU-F')).toMatchObject({ available: 6, reserved: 0 });
    expect((await api('loyalty', '/loyalty/c-forge', { tenant })).body).toMatchObject({ points: 0, history: [] });
    const dead = (await platform.nats.read('DLQ')).filter((m) => m.subject === `dlq.order-inventory.inventory.${tenant}.authorized`);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers['Dlq-Reason']).toBe('subject_mismatch');
    expect((await platform.nats.read('PAYMENTS')).filter((m) => (m.json as { id?: string } | undefined)?.id === forged.id)).toEqual([]);
  });

  it.each([
    ['a seed the server does not know', 'unknown', /NATS authentication failed \(NATS_NKEY_SEED_FILE\)/],
    ['no credentials at all', 'none', /NATS authentication failed \(anonymous: none of NATS_CREDS, NATS_NKEY_SEED_FILE/],
  ] as const)('a service process with %s never becomes ready and says which key is wrong', async (_case, credentials, message) => {
    const dir = platform.workDir;
    const env: Record<string, string> = {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      NATS_URL: platform.nats.url,
      LOG_LEVEL: 'info',
      DATA_DIR: join(dir, `loyalty-${credentials}`),
      DATABASE_URL: '',
      ...testAuth().env,
    };
    if (credentials === 'unknown') {
      env['NATS_NKEY_SEED_FILE'] = join(dir, 'stranger.nk');
      writeFileSync(env['NATS_NKEY_SEED_FILE'], `${createNatsIdentity('stranger').seed}\n`, { mode: 0o600 });
    }
    const logFile = join(dir, `loyalty-${credentials}.log`);
    const stranger = new ServiceProcess('loyalty', Number(env['PORT']), env, logFile);
    await expect(stranger.start()).rejects.toThrow(/exited with 1 during start/);
    expect(readFileSync(logFile, 'utf8')).toMatch(message);
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

  it('answers every bad request of the HTTP contract with its 4xx and a clear message, never a 5xx', async () => {
    const tenant = await tenantWithProducts({ 'SKU-A': { priceCents: 100, available: 10 } });
    const valid = { customerId: 'c-bad', items: [{ sku: 'SKU-A', quantity: 1 }], paymentToken: 'tok_visa' };
    const post = (body: unknown, options: { tenant?: string; token?: string; headers?: Record<string, string>; rawBody?: string } = {}) =>
      api('order', '/orders', {
        method: 'POST',
        tenant: 'tenant' in options ? options.tenant : tenant,
        token: 'token' in options ? options.token : operatorToken(tenant),
        body: options.rawBody === undefined ? body : undefined,
        rawBody: options.rawBody,
        headers: options.headers,
      });
    const cases: Array<[string, Promise<{ status: number; body: any }>, number, RegExp]> = [
      ['no bearer token', post(valid, { token: undefined }), 401, /missing bearer token/],
      ['no X-Tenant-Id: the token’s tenant applies, so only the body is wrong', post({ ...valid, items: [] }, { tenant: undefined }), 400, /items must contain at least 1 elements/],
      ['an expired-looking token', api('order', '/orders', { method: 'POST', tenant, token: 'x.y.z', body: valid }), 401, /invalid token/],
      ['X-Tenant-Id of another tenant than the token', api('order', '/orders', { method: 'POST', tenant, token: operatorToken('someone-else'), body: valid }), 403, /does not match the tenant of the token/],
      ['a customer ordering for another customer', api('order', '/orders', { method: 'POST', tenant, token: customerToken(tenant, 'c-other'), body: valid }), 403, /own customerId/],
      ['a customer writing the catalogue', api('inventory', '/products/SKU-A', { method: 'PUT', tenant, token: customerToken(tenant, 'c-bad'), body: { priceCents: 1 } }), 403, /operator role/],
      ['a customer rebuilding analytics', api('analytics', '/analytics/rebuild', { method: 'POST', token: customerToken(tenant, 'c-bad') }), 403, /operator role/],
      ['malformed X-Tenant-Id', post(valid, { tenant: 'Bad_Tenant' }), 400, /X-Tenant-Id must match/],
      ['unknown field', post({ ...valid, priceCents: 1 }), 400, /property priceCents should not exist/],
      ['no items', post({ ...valid, items: [] }), 400, /items must contain at least 1 elements/],
      ['51 items', post({ ...valid, items: Array(51).fill({ sku: 'SKU-A', quantity: 1 }) }), 400, /items must contain no more than 50 elements/],
      ['quantity 0', post({ ...valid, items: [{ sku: 'SKU-A', quantity: 0 }] }), 400, /quantity must not be less than 1/],
      ['quantity 101', post({ ...valid, items: [{ sku: 'SKU-A', quantity: 101 }] }), 400, /quantity must not be greater than 100/],
      ['quantity as a string', post({ ...valid, items: [{ sku: 'SKU-A', quantity: '2' }] }), 400, /quantity must be an integer/],
      ['unknown field in a line', post({ ...valid, items: [{ sku: 'SKU-A', quantity: 1, price: 1 }] }), 400, /property price should not exist/],
      ['missing customerId', post({ items: valid.items, paymentToken: 'tok_visa' }), 400, /customerId/],
      ['bad payment token', post({ ...valid, paymentToken: 'visa' }), 400, /paymentToken/],
      ['an array body', post([valid]), 400, /./],
      ['malformed JSON', post(undefined, { rawBody: '{"customerId":', headers: { 'content-type': 'application/json' } }), 400, /./],
      ['not JSON', post(undefined, { rawBody: 'customerId=c-1', headers: { 'content-type': 'text/plain' } }), 415, /./],
      ['body over 16 KiB', post({ ...valid, customerId: 'x'.repeat(17 * 1024) }), 413, /./],
      ['unknown SKU', post({ ...valid, items: [{ sku: 'SKU-NOPE', quantity: 1 }] }), 422, /unknown SKU: SKU-NOPE/],
      ['malformed Idempotency-Key', post(valid, { headers: { 'idempotency-key': 'x'.repeat(256) } }), 400, /Idempotency-Key/],
      ['unknown order', api('order', '/orders/0190a0a0-0000-7000-8000-000000000000', { tenant }), 404, /not found/],
      ['malformed order id', api('order', '/orders/not-an-id', { tenant }), 404, /not found/],
      ['bad list limit', api('order', '/orders?limit=0', { tenant }), 400, /limit must not be less than 1/],
      ['bad list status', api('order', '/orders?status=DONE', { tenant }), 400, /status must be one of/],
      ['unknown query parameter', api('order', '/orders?colour=red', { tenant }), 400, /property colour should not exist/],
      ['unknown product', api('inventory', '/products/SKU-NOPE', { tenant }), 404, /not found/],
      ['malformed SKU on PUT', api('inventory', '/products/bad-sku', { method: 'PUT', tenant, body: { name: 'x', priceCents: 1 } }), 400, /sku must match/],
      ['negative price', api('inventory', '/products/SKU-A', { method: 'PUT', tenant, body: { priceCents: -1 } }), 400, /priceCents must not be less than 0/],
      ['new product without a price', api('inventory', '/products/SKU-NEW', { method: 'PUT', tenant, body: { name: 'x' } }), 422, /needs name and priceCents/],
      ['bad payments limit', api('payment', '/payments?limit=abc', { tenant }), 400, /limit/],
      ['notifications without a filter', api('notification', '/notifications', { tenant }), 400, /orderId or customerId/],
      ['over-long customer id', api('loyalty', `/loyalty/${'c'.repeat(65)}`, { tenant }), 400, /./],
      ['analytics without a token', api('analytics', '/analytics/summary'), 401, /missing bearer token/],
    ];
    for (const [name, response, status, message] of cases) {
      const { status: actual, body } = await response;
      expect({ name, status: actual }).toEqual({ name, status });
      expect(body, name).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.anything() });
      const text = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
      expect(text, name).toMatch(message);
      expect(JSON.stringify(body), name).not.toMatch(/\bat .*\.(js|ts):\d+/);
    }
    // None of the refused requests created anything.
    expect((await api('order', '/orders', { tenant })).body.items).toEqual([]);
  });

  it('a service killed (SIGKILL) while orders flow and restarted: every order ends, each effect applied once', async () => {
    const tenant = await tenantWithProducts({ 'SKU-K': { priceCents: 100, available: 1000 } });
    const orderIds: string[] = [];
    const post = async (i: number) => {
      const response = await placeOrder(tenant, { customerId: `c-kill-${i}`, items: [{ sku: 'SKU-K', quantity: 1 + (i % 3) }], paymentToken: 'tok_visa' });
      expect(response.status).toBe(201);
      orderIds.push(response.body.orderId);
    };
    for (let i = 0; i < 10; i++) await post(i);
    await platform.services.inventory.kill();
    for (let i = 10; i < 20; i++) await post(i);
    await platform.services.payment.kill();
    for (let i = 20; i < 30; i++) await post(i);
    await platform.services.inventory.start();
    for (let i = 30; i < 40; i++) await post(i);
    await platform.services.payment.start();

    const orders = await Promise.all(orderIds.map((id) => terminalOrder(tenant, id, ORDER_DEADLINE_MS + 4 * ACK_WAIT_MS + 20_000)));
    await platform.settled(60_000);
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed.length + orders.filter((o) => o.status === 'CANCELLED').length).toBe(40);
    const confirmedUnits = confirmed.reduce((sum, o) => sum + o.items[0].quantity, 0);
    expect(await product(tenant, 'SKU-K')).toMatchObject({ available: 1000 - confirmedUnits, reserved: 0 });
    for (const order of orders) {
      const expected = order.status === 'CONFIRMED' ? ['captured'] : [expect.stringMatching(/^(voided|cancelled|declined)$/)];
      expect((await payments(tenant, order.orderId)).map((p) => p.status), order.orderId).toEqual(expected);
      const notes = (await api('notification', `/notifications?orderId=${order.orderId}`, { tenant })).body.items;
      expect(notes.map((n: { template: string }) => n.template)).toEqual([order.status === 'CONFIRMED' ? 'order-confirmed' : 'order-cancelled']);
      const loyalty = (await api('loyalty', `/loyalty/${order.customerId}`, { tenant })).body;
      expect(loyalty.points).toBe(order.status === 'CONFIRMED' ? Math.floor(order.totalCents / 100) : 0);
    }
    expect((await api('analytics', '/analytics/summary', { tenant })).body).toMatchObject({
      ordersCreated: 40,
      ordersConfirmed: confirmed.length,
      ordersCancelled: 40 - confirmed.length,
    });
  });

  it('exposes exactly the metrics of docs/metrics.md once orders have flowed', async () => {
    const doc = readFileSync(new URL('../docs/metrics.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!));
    const exposed = new Set<string>();
    for (const service of SERVICES) {
      const text = await (await fetch(`${platform.url(service)}/metrics`)).text();
      for (const [, name] of text.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) /gm)) exposed.add(name!);
    }
    const isDefault = (name: string) => /^(process|nodejs)_/.test(name);
    expect([...exposed].filter((name) => !isDefault(name) && !documented.has(name)).sort()).toEqual([]);
    expect([...documented].filter((name) => !exposed.has(name)).sort()).toEqual([]);
    expect([...exposed].some(isDefault)).toBe(true);
  });
});
