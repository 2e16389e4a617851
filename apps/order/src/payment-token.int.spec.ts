import { randomUUID } from 'node:crypto';
import { PaymentTokenSealer } from '@platform/service-kit';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { startTestService, TEST_PAYMENT_TOKEN_KEYS, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OrderServiceConfig } from './config.js';
import { orderService } from './service.definition.js';

// The card token of POST /orders leaves the order service only sealed for the payment service:
// not in clear in order.created (ORDERS is read by every consumer), nor in the outbox, nor in the
// order's rows. Only the order service runs (PGlite), against a provisioned nats-server.

const TENANT = 'sealing';
const SKU = 'SKU-001';

describe('order service: the payment token is sealed, never stored or published in clear', () => {
  let nats: PlatformTestNats;
  let service: TestService<OrderServiceConfig>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(orderService, nats.envFor('order'));
    await nats.publish({ type: 'inventory.product-updated.v1', tenantId: TENANT, aggregateId: SKU, data: { sku: SKU, name: 'Beans', priceCents: 1500, currency: 'USD', available: 100 } });
    await vi.waitFor(async () => expect((await service.db.query('SELECT 1 FROM catalogue WHERE tenant_id = $1 AND sku = $2', [TENANT, SKU])).rowCount).toBe(1), { timeout: 10_000 });
  });
  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  const place = async (paymentToken: string) => {
    const response = await fetch(`${service.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': TENANT, 'idempotency-key': randomUUID(), ...testAuth().bearer(testAuth().operator(TENANT)) },
      body: JSON.stringify({ customerId: 'c-1', items: [{ sku: SKU, quantity: 1 }], paymentToken }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { orderId: string }).orderId;
  };

  it('publishes order.created.v3 whose sealed token opens only with the shared key, for this tenant and order', async () => {
    const tokens = ['tok_visa_sealing_test', 'tok_decline'];
    const orders = new Map<string, string>();
    for (const token of tokens) orders.set(await place(token), token);

    const created = await vi.waitFor(
      async () => {
        const messages = (await nats.read('ORDERS')).filter((m) => m.subject === `orders.${TENANT}.created`);
        expect(messages).toHaveLength(2);
        return messages;
      },
      { timeout: 10_000 },
    );
    const sealer = PaymentTokenSealer.fromKeys(TEST_PAYMENT_TOKEN_KEYS);
    for (const message of created) {
      const raw = `${new TextDecoder().decode(message.data)} ${JSON.stringify(message.headers)}`;
      for (const token of tokens) expect(raw).not.toContain(token);
      const event = message.json as { type: string; tenantid: string; data: { orderId: string; paymentToken?: string; paymentTokenSealed: string } };
      expect(event.type).toBe('order.created.v3');
      expect(event.data.paymentToken).toBeUndefined();
      expect(event.data.paymentTokenSealed).toMatch(/^pt1\.test\./);
      const token = orders.get(event.data.orderId)!;
      expect(sealer.unseal(event.data.paymentTokenSealed, { tenantId: TENANT, orderId: event.data.orderId })).toBe(token);
      const otherOrder = [...orders.keys()].find((id) => id !== event.data.orderId)!;
      expect(() => sealer.unseal(event.data.paymentTokenSealed, { tenantId: TENANT, orderId: otherOrder })).toThrow(/authentication failed/);
    }

    // Nor in the outbox (kept for re-publishing), the order rows or the idempotency keys.
    for (const table of ['events_outbox', 'orders', 'order_history', 'idempotency_keys']) {
      const { rows } = await service.db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
      expect(rows.length, table).toBeGreaterThan(0);
      for (const { row } of rows) for (const token of tokens) expect(row, table).not.toContain(token);
    }
  });
});
