import { platformExamplePayloads } from '@platform/contracts';
import { newEventId } from '@platform/events';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InventoryServiceConfig } from './config.js';
import { inventoryService } from './service.definition.js';

// The reservations as the order flow drives them: order events published as the order service
// would, stock read over HTTP, inventory's decisions read from its stream and the DLQ.

const TENANT = 'acme';
type Decision = { type: string; data: { orderId?: string; reason?: string; items?: Array<{ sku: string; quantity: number }>; skus?: string[] } };

describe('inventory service: reservations driven by the order events', () => {
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

  const put = async (sku: string, available: number) => {
    const response = await fetch(`${service.url}/products/${sku}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth.bearer(auth.operator(TENANT)) },
      body: JSON.stringify({ name: sku, priceCents: 1000, available }),
    });
    expect(response.status).toBe(201);
  };
  const stockOf = async (sku: string) => {
    const response = await fetch(`${service.url}/products/${sku}`, { headers: auth.bearer(auth.operator(TENANT)) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { available: number }).available;
  };
  const e = platformExamplePayloads;
  const created = (orderId: string, items: Array<{ sku: string; quantity: number }>) =>
    nats.publish({ type: 'order.created.v3', tenantId: TENANT, aggregateId: orderId, data: { ...e['order.created.v3'], orderId, items: items.map((item) => ({ ...item, unitPriceCents: 1000 })) } });
  const confirmed = (orderId: string) => nats.publish({ type: 'order.confirmed.v1', tenantId: TENANT, aggregateId: orderId, sequence: 2, data: { ...e['order.confirmed.v1'], orderId } });
  const cancelled = (orderId: string) => nats.publish({ type: 'order.cancelled.v1', tenantId: TENANT, aggregateId: orderId, sequence: 2, data: { ...e['order.cancelled.v1'], orderId } });
  const decisionsOf = async (orderId: string): Promise<Decision[]> =>
    (await nats.read('INVENTORY')).map((m) => m.json as Decision).filter((d) => d.data.orderId === orderId);
  const typesOf = async (orderId: string) => (await decisionsOf(orderId)).map((d) => d.type);
  const settled = () => nats.settled([{ stream: 'ORDERS', durable: 'inventory-orders' }]);

  it('reserves every line of an order, then commits the units for good when it is confirmed', async () => {
    await put('RSV-A', 10);
    await put('RSV-B', 5);
    const orderId = newEventId();
    await created(orderId, [{ sku: 'RSV-A', quantity: 2 }, { sku: 'RSV-B', quantity: 1 }, { sku: 'RSV-A', quantity: 1 }]);
    await vi.waitFor(async () => expect(await typesOf(orderId)).toEqual(['inventory.reserved.v1']), { timeout: 10_000 });
    // lines naming one SKU twice are merged
    expect((await decisionsOf(orderId))[0]!.data.items).toEqual([{ sku: 'RSV-A', quantity: 3 }, { sku: 'RSV-B', quantity: 1 }]);
    expect([await stockOf('RSV-A'), await stockOf('RSV-B')]).toEqual([7, 4]);

    await confirmed(orderId);
    await vi.waitFor(async () => expect(await typesOf(orderId)).toEqual(['inventory.reserved.v1', 'inventory.committed.v1']), { timeout: 10_000 });
    await settled();
    // committed units leave the reservation, not the available stock a second time
    expect([await stockOf('RSV-A'), await stockOf('RSV-B')]).toEqual([7, 4]);
  });

  it('reserves nothing when one line is short, and names only the short SKUs', async () => {
    await put('RSV-C', 3);
    await put('RSV-D', 1);
    const orderId = newEventId();
    await created(orderId, [{ sku: 'RSV-C', quantity: 2 }, { sku: 'RSV-D', quantity: 2 }]);
    await vi.waitFor(async () => expect(await typesOf(orderId)).toEqual(['inventory.reservation-failed.v1']), { timeout: 10_000 });
    expect((await decisionsOf(orderId))[0]!.data).toMatchObject({ reason: 'out_of_stock', skus: ['RSV-D'] });
    expect([await stockOf('RSV-C'), await stockOf('RSV-D')]).toEqual([3, 1]);
  });

  it('puts reserved units back when the order is cancelled, once however often the events come', async () => {
    await put('RSV-E', 4);
    const orderId = newEventId();
    const order = await created(orderId, [{ sku: 'RSV-E', quantity: 3 }]);
    await vi.waitFor(async () => expect(await stockOf('RSV-E')).toBe(1), { timeout: 10_000 });
    const cancellation = await cancelled(orderId);
    await vi.waitFor(async () => expect(await typesOf(orderId)).toEqual(['inventory.reserved.v1', 'inventory.released.v1']), { timeout: 10_000 });
    // the same events delivered again (past JetStream's de-duplication): the inbox absorbs them
    await nats.republish(order);
    await nats.republish(cancellation);
    await settled();
    expect(await typesOf(orderId)).toEqual(['inventory.reserved.v1', 'inventory.released.v1']);
    expect(await stockOf('RSV-E')).toBe(4);
  });

  it('holds a cancellation that overtook its order’s creation until the creation is applied: reserved, then released', async () => {
    await put('RSV-F', 2);
    const orderId = newEventId();
    // sequence 2 of the order before its sequence 1: inventory applies them in the order's sequence
    await cancelled(orderId);
    await created(orderId, [{ sku: 'RSV-F', quantity: 1 }]);
    await vi.waitFor(async () => expect(await typesOf(orderId)).toEqual(['inventory.reserved.v1', 'inventory.released.v1']), { timeout: 20_000 });
    await settled();
    expect(await stockOf('RSV-F')).toBe(2);
  });

  it('dead-letters a confirmation of an order it never reserved, and moves no stock', async () => {
    await put('RSV-G', 2);
    const orderId = newEventId();
    await created(orderId, [{ sku: 'RSV-G', quantity: 5 }]);
    await vi.waitFor(async () => expect(await typesOf(orderId)).toEqual(['inventory.reservation-failed.v1']), { timeout: 10_000 });
    await confirmed(orderId);
    await vi.waitFor(
      async () => {
        const dead = (await nats.read('DLQ')).filter((m) => new TextDecoder().decode(m.data).includes(orderId));
        expect(dead).toHaveLength(1);
        expect(dead[0]!.headers).toMatchObject({ 'Dlq-Consumer': 'inventory-orders', 'Dlq-Reason': 'permanent_error' });
      },
      { timeout: 15_000 },
    );
    expect(await stockOf('RSV-G')).toBe(2);
    expect(await typesOf(orderId)).toEqual(['inventory.reservation-failed.v1']);
  });
});
