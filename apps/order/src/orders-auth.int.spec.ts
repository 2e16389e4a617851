import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OrderServiceConfig } from './config.js';
import { orderService } from './service.definition.js';

// Who may place and read which orders, over real HTTP: customers their own, operators the
// tenant's, nobody another tenant's; and the per-token rate limit of POST /orders.

const TENANT = 'acme';
const OTHER_TENANT = 'globex';
const SKU = 'SKU-001';
const RATE_LIMIT = 4;

describe('order service: authentication, authorization and the per-token rate limit', () => {
  const auth = testAuth();
  let nats: PlatformTestNats;
  let service: TestService<OrderServiceConfig>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(orderService, { ...nats.envFor('order'), ORDER_RATE_LIMIT: String(RATE_LIMIT), ORDER_RATE_LIMIT_WINDOW_MS: '60000' });
    for (const tenantId of [TENANT, OTHER_TENANT]) {
      await nats.publish({ type: 'inventory.product-updated.v1', source: 'inventory', tenantId, aggregateId: SKU, data: { sku: SKU, name: 'Beans', priceCents: 1500, currency: 'USD', available: 100 } });
    }
    await vi.waitFor(async () => expect((await service.db.query('SELECT 1 FROM catalogue WHERE sku = $1', [SKU])).rowCount).toBe(2), { timeout: 10_000 });
  });
  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  const call = async (method: string, path: string, token: string | null, options: { tenant?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { ...(token === null ? {} : auth.bearer(token)) };
    if (options.tenant !== undefined) headers['x-tenant-id'] = options.tenant;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${service.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const orderOf = (customerId: string) => ({ customerId, items: [{ sku: SKU, quantity: 1 }], paymentToken: 'tok_visa' });
  const place = (token: string, customerId: string, tenant?: string) => call('POST', '/orders', token, { tenant, body: orderOf(customerId) });

  let aliceOrder: string;
  let bobOrder: string;

  it('answers 401 with WWW-Authenticate and the error body without a token or with an invalid one', async () => {
    const anonymous = await call('POST', '/orders', null, { tenant: TENANT, body: orderOf('alice') });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('missing bearer token') });
    const expired = await call('GET', '/orders', auth.token({ tenant: TENANT, roles: ['operator'], ttlSeconds: -600 }));
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ statusCode: 401, message: 'token expired' });
    // Nothing was stored.
    expect((await service.db.query('SELECT 1 FROM orders')).rowCount).toBe(0);
  });

  it('lets a customer place orders for itself only (403 for another customerId)', async () => {
    const alice = await place(auth.customer(TENANT, 'alice'), 'alice');
    expect(alice.status).toBe(201);
    aliceOrder = alice.body.orderId;
    const bob = await place(auth.customer(TENANT, 'bob'), 'bob', TENANT);
    expect(bob.status).toBe(201);
    bobOrder = bob.body.orderId;
    const forged = await place(auth.customer(TENANT, 'alice'), 'bob');
    expect(forged.status).toBe(403);
    expect(forged.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('own customerId') });
    // An operator places orders for any customer of its tenant.
    expect((await place(auth.operator(TENANT), 'carol')).status).toBe(201);
  });

  it('shows a customer its own order, and another customer’s order as not found', async () => {
    const own = await call('GET', `/orders/${aliceOrder}`, auth.customer(TENANT, 'alice'));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ orderId: aliceOrder, customerId: 'alice' });
    const foreign = await call('GET', `/orders/${bobOrder}`, auth.customer(TENANT, 'alice'));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ statusCode: 404, error: 'Not Found', message: `order ${bobOrder} not found` });
    expect((await call('GET', `/orders/${bobOrder}`, auth.operator(TENANT))).status).toBe(200);
  });

  it('lists a customer’s own orders only, and refuses to list another customer’s', async () => {
    const own = await call('GET', '/orders', auth.customer(TENANT, 'alice'));
    expect(own.status).toBe(200);
    expect(own.body.items.map((o: any) => o.orderId)).toEqual([aliceOrder]);
    expect((await call('GET', '/orders?customerId=alice', auth.customer(TENANT, 'alice'))).body.items).toHaveLength(1);
    const foreign = await call('GET', '/orders?customerId=bob', auth.customer(TENANT, 'alice'));
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    const all = await call('GET', '/orders', auth.operator(TENANT));
    expect(all.body.items).toHaveLength(3);
  });

  it('never shows tenant A’s order to a token of tenant B (404), and refuses a disagreeing X-Tenant-Id (403)', async () => {
    const otherOperator = auth.operator(OTHER_TENANT);
    const notFound = await call('GET', `/orders/${aliceOrder}`, otherOperator);
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await call('GET', '/orders', otherOperator)).body.items).toEqual([]);
    const mismatch = await call('GET', `/orders/${aliceOrder}`, otherOperator, { tenant: TENANT });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toEqual({ statusCode: 403, error: 'Forbidden', message: `X-Tenant-Id ${TENANT} does not match the tenant of the token (${OTHER_TENANT})` });
    const post = await place(auth.customer(OTHER_TENANT, 'alice'), 'alice', TENANT);
    expect(post.status).toBe(403);
  });

  it('rate-limits POST /orders per token: 429 with Retry-After and the error body past the limit, other tokens unaffected', async () => {
    const dave = auth.customer(TENANT, 'dave');
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) statuses.push((await place(dave, 'dave')).status);
    expect(statuses).toEqual(Array(RATE_LIMIT).fill(201));
    const limited = await place(dave, 'dave');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining(`at most ${RATE_LIMIT} POST /orders`) });
    // A token of the same customer in another tenant, and another customer, have budgets of their own.
    expect((await place(auth.customer(OTHER_TENANT, 'dave'), 'dave')).status).toBe(201);
    expect((await place(auth.customer(TENANT, 'erin'), 'erin')).status).toBe(201);
    const { rows } = await service.db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE tenant_id = $1 AND customer_id = 'dave'", [TENANT]);
    expect(rows[0]!.n).toBe(RATE_LIMIT);
  });

  it('keeps health and metrics open', async () => {
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
  });
});
