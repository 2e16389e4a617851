import { randomUUID } from 'node:crypto';
import { newEventId } from '@platform/events';
import { adminQuery, TEST_DATABASE_URL } from '@platform/events/testing';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OrderServiceConfig } from './config.js';
import { orderService } from './service.definition.js';

// Admission control of POST /orders against the real PostgreSQL and a provisioned nats-server.
// Only the order service runs: no payment or inventory answers, so an accepted order stays
// PENDING until the test publishes the flow's outcome itself — the pending count is exact.

const TENANT = 'admission';
const SKU = 'SKU-001';


/** The order service on a PostgreSQL database of its own, with one product priced in its catalogue. */
async function startOrderService(env: Record<string, string>): Promise<{ nats: PlatformTestNats; service: TestService<OrderServiceConfig>; database: string; dispose(): Promise<void> }> {
  const database = `order_admission_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const nats = await startPlatformTestNats();
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  const dispose = async () => {
    await service?.dispose();
    await nats.dispose();
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  let service: TestService<OrderServiceConfig> | undefined;
  try {
    service = await startTestService(orderService, { ...nats.envFor('order'), DATABASE_URL: url.toString(), ...env });
    await nats.publish({ type: 'inventory.product-updated.v1', tenantId: TENANT, aggregateId: SKU, data: { sku: SKU, name: 'Beans', priceCents: 1500, currency: 'USD', available: 100 } });
    const db = service.db;
    await vi.waitFor(async () => expect((await db.query('SELECT 1 FROM catalogue WHERE tenant_id = $1 AND sku = $2', [TENANT, SKU])).rowCount).toBe(1), { timeout: 10_000 });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { nats, service, database, dispose };
}

const orderBody = { customerId: 'c-1', items: [{ sku: SKU, quantity: 1 }], paymentToken: 'tok_visa' };

async function post(service: TestService, headers: Record<string, string> = {}, body: unknown = orderBody) {
  const response = await fetch(`${service.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': TENANT, ...testAuth().bearer(testAuth().operator(TENANT)), ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function metric(service: TestService, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const match = pattern.exec(text);
  if (!match) throw new Error(`no ${pattern} in /metrics`);
  return Number(match[1]);
}

function expectShed(response: Awaited<ReturnType<typeof post>>, retryAfter: string, message: RegExp): void {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe(retryAfter);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(message) });
}

describe('POST /orders admission control: the pending bound', () => {
  let started: Awaited<ReturnType<typeof startOrderService>>;
  let service: TestService<OrderServiceConfig>;
  const accepted: Array<{ orderId: string; key: string }> = [];

  beforeAll(async () => {
    started = await startOrderService({ ORDER_ADMISSION_MAX_PENDING: '3', ORDER_ADMISSION_MAX_IN_FLIGHT: '0', ORDER_ADMISSION_REFRESH_MS: '50', ORDER_ADMISSION_RETRY_AFTER_S: '2' });
    service = started.service;
  });
  afterAll(async () => {
    await started?.dispose();
  });

  const statusOf = async (orderId: string) => {
    const response = await fetch(`${service.url}/orders/${orderId}`, { headers: { 'x-tenant-id': TENANT, ...testAuth().bearer(testAuth().operator(TENANT)) } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { status: string }).status;
  };
  /** What payment and inventory would answer: the order confirms. */
  const completeFlow = async (orderId: string) => {
    await nats().publish({ type: 'payment.authorized.v1', tenantId: TENANT, aggregateId: orderId, source: 'payment', data: { paymentId: newEventId(), orderId, amountCents: 1500, currency: 'USD' } });
    await nats().publish({ type: 'inventory.reserved.v1', tenantId: TENANT, aggregateId: orderId, source: 'inventory', data: { orderId, items: [{ sku: SKU, quantity: 1 }] } });
  };
  const nats = () => started.nats;

  it('exposes orders_shed_total at 0 for every reason before anything is shed', async () => {
    expect(await metric(service, /^orders_shed_total\{reason="pending"\} (\d+)$/m)).toBe(0);
    expect(await metric(service, /^orders_shed_total\{reason="in_flight"\} (\d+)$/m)).toBe(0);
  });

  it('accepts up to the bound (201) and answers 503 with Retry-After and the error body past it, also when the requests arrive at once', async () => {
    const keys = Array.from({ length: 5 }, () => randomUUID());
    const responses = await Promise.all(keys.map((key) => post(service, { 'idempotency-key': key })));
    const created = responses.filter((r) => r.status === 201);
    const shed = responses.filter((r) => r.status !== 201);
    expect(created).toHaveLength(3);
    expect(shed).toHaveLength(2);
    for (const response of shed) expectShed(response, '2', /at capacity: too many orders in progress/);
    for (const [i, response] of responses.entries()) {
      if (response.status === 201) accepted.push({ orderId: response.body['orderId'] as string, key: keys[i]! });
    }
    expect(await metric(service, /^orders_shed_total\{reason="pending"\} (\d+)$/m)).toBe(2);
    // A shed request stored nothing and claimed no key: its key is free for a later retry.
    const { rows } = await service.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE tenant_id = $1', [TENANT]);
    expect(rows.map((r) => r.key).sort()).toEqual(accepted.map((a) => a.key).sort());
  });

  it('still answers the replay of an accepted order at the bound, and still sheds new orders', async () => {
    const first = accepted[0]!;
    const replay = await post(service, { 'idempotency-key': first.key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toMatchObject({ orderId: first.orderId, status: 'PENDING' });
    // The same key with another body is still refused as such, not shed.
    expect((await post(service, { 'idempotency-key': first.key }, { ...orderBody, customerId: 'c-2' })).status).toBe(422);
    expectShed(await post(service), '2', /too many orders in progress/);
  });

  it('admits again once the flow has completed an order', async () => {
    const first = accepted[0]!;
    await completeFlow(first.orderId);
    await vi.waitFor(async () => expect(await statusOf(first.orderId)).toBe('CONFIRMED'), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await metric(service, /^orders_admission_pending (\d+)$/m)).toBe(2), { timeout: 10_000 });
    const next = await post(service, { 'idempotency-key': randomUUID() });
    expect(next.status).toBe(201);
    accepted.push({ orderId: next.body['orderId'] as string, key: '' });
    expectShed(await post(service), '2', /too many orders in progress/);
  });

  it('loses no accepted order: each one was published as order.created and reaches a terminal state', async () => {
    const ids = accepted.map((a) => a.orderId);
    expect(ids).toHaveLength(4);
    await vi.waitFor(
      async () => {
        const created = (await nats().read('ORDERS')).filter((m) => m.subject.endsWith('.created')).map((m) => (m.json as { data: { orderId: string } }).data.orderId);
        expect(created.sort()).toEqual([...ids].sort());
      },
      { timeout: 10_000 },
    );
    for (const orderId of ids.slice(1)) await completeFlow(orderId);
    for (const orderId of ids) await vi.waitFor(async () => expect(await statusOf(orderId)).toBe('CONFIRMED'), { timeout: 10_000 });
    const { rows } = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE tenant_id = $1', [TENANT]);
    expect(rows[0]!.n).toBe(4);
  });
});

describe('POST /orders admission control: the in-flight bound', () => {
  let started: Awaited<ReturnType<typeof startOrderService>>;
  let service: TestService<OrderServiceConfig>;

  beforeAll(async () => {
    started = await startOrderService({ ORDER_ADMISSION_MAX_PENDING: '0', ORDER_ADMISSION_MAX_IN_FLIGHT: '1' });
    service = started.service;
  });
  afterAll(async () => {
    await started?.dispose();
  });

  it('sheds a request while the bound is taken, answers replays meanwhile, and admits again once it is free', async () => {
    const existing = await post(service, { 'idempotency-key': 'existing-order' });
    expect(existing.status).toBe(201);

    // Hold one POST in flight: its idempotency-key insert waits for this uncommitted claim of the same key.
    const holder = new pg.Client({ connectionString: new URL(`/${started.database}`, TEST_DATABASE_URL).toString() });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id) VALUES ($1, 'held', 'none', 'none')", [TENANT]);
      const held = post(service, { 'idempotency-key': 'held' });
      // Read pg_stat_activity outside the holder's transaction: inside one, it is a snapshot taken at first use.
      await vi.waitFor(
        async () => {
          const { rows } = await service.db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO idempotency_keys%'",
            [started.database],
          );
          expect(rows[0]!.n).toBe(1);
        },
        { timeout: 10_000 },
      );

      expectShed(await post(service), '1', /at capacity: too many concurrent requests/);
      const replay = await post(service, { 'idempotency-key': 'existing-order' });
      expect(replay.status).toBe(201);
      expect(replay.body['orderId']).toBe(existing.body['orderId']);
      expect(await metric(service, /^orders_shed_total\{reason="in_flight"\} (\d+)$/m)).toBe(1);
      expect(await metric(service, /^orders_shed_total\{reason="pending"\} (\d+)$/m)).toBe(0);

      await holder.query('ROLLBACK');
      const released = await held;
      expect(released.status).toBe(201);
      expect(released.headers.get('idempotent-replayed')).toBeNull();
    } finally {
      await holder.end();
    }
    expect((await post(service)).status).toBe(201);
  });
});
