import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryServiceConfig } from './config.js';
import { inventoryService } from './service.definition.js';

// The catalogue over real HTTP: readable by any token of the tenant, writable by its operators only.

const TENANT = 'acme';
const OTHER_TENANT = 'globex';

describe('inventory service: who reads and who writes the catalogue', () => {
  const auth = testAuth();
  let nats: PlatformTestNats;
  let service: TestService<InventoryServiceConfig>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(inventoryService, { ...nats.envFor('inventory'), INVENTORY_SEED_DEMO: 'false' });
  });
  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  const call = async (method: string, path: string, token: string | null, body?: unknown, tenant?: string) => {
    const headers: Record<string, string> = { ...(token === null ? {} : auth.bearer(token)) };
    if (tenant !== undefined) headers['x-tenant-id'] = tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${service.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const product = { name: 'Beans', priceCents: 1500, available: 10 };

  it('refuses PUT /products/:sku to a customer (403) and to no token (401), and stores nothing', async () => {
    const customer = await call('PUT', '/products/SKU-001', auth.customer(TENANT, 'c-1'), product);
    expect(customer.status).toBe(403);
    expect(customer.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this endpoint needs the operator role' });
    const anonymous = await call('PUT', '/products/SKU-001', null, product, TENANT);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await call('GET', '/products/SKU-001', auth.operator(TENANT))).status).toBe(404);
  });

  it('lets an operator write the catalogue of its tenant, and every token of the tenant read it', async () => {
    const created = await call('PUT', '/products/SKU-001', auth.operator(TENANT), product, TENANT);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sku: 'SKU-001', name: 'Beans', available: 10 });
    expect((await call('PUT', '/products/SKU-001', auth.operator(TENANT), { priceCents: 1600 })).status).toBe(200);
    for (const token of [auth.customer(TENANT, 'c-1'), auth.operator(TENANT)]) {
      const list = await call('GET', '/products', token);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([expect.objectContaining({ sku: 'SKU-001', priceCents: 1600 })]);
      expect((await call('GET', '/products/SKU-001', token)).body).toMatchObject({ sku: 'SKU-001' });
    }
  });

  it('keeps tenants apart: another tenant’s token does not find the product and cannot name this tenant', async () => {
    expect((await call('GET', '/products/SKU-001', auth.customer(OTHER_TENANT, 'c-1'))).status).toBe(404);
    expect((await call('GET', '/products', auth.operator(OTHER_TENANT))).body).toEqual({ items: [] });
    const mismatch = await call('PUT', '/products/SKU-001', auth.operator(OTHER_TENANT), product, TENANT);
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toMatchObject({ statusCode: 403, message: expect.stringContaining('X-Tenant-Id') });
  });
});
