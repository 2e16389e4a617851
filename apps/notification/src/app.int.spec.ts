import { consumersOf, type EventEnvelope, newEventId } from '@platform/events';
import { type InventoryStockLowV1, type NotificationSentV1, type OrderCancelledV1, type OrderConfirmedV1, type OrderCreatedV1, platformTopology } from '@platform/contracts';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { describeServiceBoot, startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationServiceConfig } from './config.js';
import { notificationService } from './service.definition.js';

describeServiceBoot(notificationService);

const TENANT = 'acme';
const OTHER_TENANT = 'globex';
const OPS = 'ops-oncall@example.test';
const WAIT = { timeout: 10_000, interval: 50 };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('notification service: customer notifications and operations alerts', () => {
  let nats: PlatformTestNats;
  let service: TestService<NotificationServiceConfig>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(notificationService, { ...nats.envFor('notification'), NOTIFICATION_OPS_RECIPIENT: OPS });
  });
  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  const auth = testAuth();
  /** GET with `X-Tenant-Id: tenant` (none for null) and a token (default: an operator of the tenant). */
  const get = (path: string, tenant: string | null = TENANT, token: string | null = auth.operator(tenant ?? TENANT)) =>
    fetch(`${service.url}${path}`, { headers: { ...(tenant === null ? {} : { 'x-tenant-id': tenant }), ...(token === null ? {} : auth.bearer(token)) } });

  const publish = <Data extends object>(type: string, aggregateId: string, data: Data, sequence: number, source: string) =>
    nats.publish({ type, source, tenantId: TENANT, aggregateId, data, sequence });


  /** Everything given to the service's durables is acknowledged, and every event it emitted is published. */
  const settled = async () => {
    await nats.settled(consumersOf(platformTopology(), 'notification'));
    await vi.waitFor(async () => expect((await service.runtime.relay.backlog()).pending).toBe(0), WAIT);
  };

  const sentEvents = async () => (await nats.read('NOTIFICATIONS')).map((m) => m.json as EventEnvelope<NotificationSentV1>);

  const customerId = 'c-notify';
  const confirmedOrder: OrderConfirmedV1 = { orderId: newEventId(), customerId, totalCents: 4_200, currency: 'EUR' };
  const cancelledOrder: OrderCancelledV1 = { orderId: newEventId(), customerId, reason: 'payment_declined', totalCents: 1_000, currency: 'EUR' };
  const created = (orderId: string, totalCents: number): OrderCreatedV1 => ({
    orderId,
    customerId,
    items: [{ sku: 'SKU-001', quantity: 1, unitPriceCents: totalCents }],
    totalCents,
    currency: 'EUR',
    paymentToken: 'tok_visa',
  });

  it('sends one order-confirmed email per order, despite a second event for the order and a redelivered event', async () => {
    const orderId = confirmedOrder.orderId;
    await publish('order.created.v1', orderId, created(orderId, 4_200), 1, 'order'); // no handler: acknowledged as ignored
    const confirmed = await publish('order.confirmed.v1', orderId, confirmedOrder, 2, 'order');
    await publish('order.confirmed.v1', orderId, confirmedOrder, 3, 'order'); // another event id, same fact: the unique key absorbs it
    await nats.republish(confirmed); // the same event id again: the inbox absorbs it
    await settled();

    const response = await get(`/notifications?orderId=${orderId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      items: [{ channel: 'email', template: 'order-confirmed', recipient: `customer:${customerId}`, orderId, createdAt: expect.stringMatching(ISO) }],
    });

    const sent = (await sentEvents()).filter((e) => e.data.orderId === orderId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'notification.sent.v1',
      tenantid: TENANT,
      data: { channel: 'email', template: 'order-confirmed', recipient: `customer:${customerId}`, orderId },
    });
    expect(sent[0]!.subject).toBe(sent[0]!.data.notificationId);
    expect(await nats.read('DLQ')).toEqual([]); // the duplicate was absorbed, not failed and dead-lettered
  });

  it('sends an order-cancelled email with the reason, and lists a customer’s notifications newest first', async () => {
    const orderId = cancelledOrder.orderId;
    await publish('order.created.v1', orderId, created(orderId, 1_000), 1, 'order');
    await publish('order.cancelled.v1', orderId, cancelledOrder, 2, 'order');
    await settled();

    const { rows } = await service.db.query<{ message: string }>('SELECT message FROM notifications WHERE order_id = $1', [orderId]);
    expect(rows.map((r) => r.message)).toEqual([expect.stringContaining('reason: payment_declined')]);

    const response = await get(`/notifications?customerId=${customerId}`);
    expect(response.status).toBe(200);
    const body: any = await response.json();
    expect(body.items.map((i: any) => [i.template, i.orderId])).toEqual([
      ['order-cancelled', orderId],
      ['order-confirmed', confirmedOrder.orderId],
    ]);
    expect(body.items[0]).toEqual({ channel: 'email', template: 'order-cancelled', recipient: `customer:${customerId}`, orderId, createdAt: expect.stringMatching(ISO) });

    const limited: any = await (await get(`/notifications?customerId=${customerId}&limit=1`)).json();
    expect(limited.items.map((i: any) => i.template)).toEqual(['order-cancelled']);
  });

  it('alerts operations once per stock-low event on the webhook channel', async () => {
    const low: InventoryStockLowV1 = { sku: 'SKU-007', available: 2, threshold: 5 };
    const first = await publish('inventory.stock-low.v1', low.sku, low, 1, 'inventory');
    await publish('inventory.stock-low.v1', low.sku, { ...low, available: 1 }, 2, 'inventory'); // a second fact: a second alert
    await nats.republish(first); // redelivery: no third alert
    await settled();

    const alerts = (await sentEvents()).filter((e) => e.data.template === 'stock-low');
    expect(alerts.map((e) => e.data)).toEqual([
      { notificationId: expect.any(String), channel: 'webhook', template: 'stock-low', recipient: OPS },
      { notificationId: expect.any(String), channel: 'webhook', template: 'stock-low', recipient: OPS },
    ]);
    const { rows } = await service.db.query<{ message: string }>("SELECT message FROM notifications WHERE template = 'stock-low' ORDER BY created_at, id");
    expect(rows.map((r) => r.message)).toEqual(['Stock low for SKU-007: 2 available (threshold 5).', 'Stock low for SKU-007: 1 available (threshold 5).']);
  });

  it('counts sent notifications by channel and template', async () => {
    const body = await (await get('/metrics')).text();
    expect(body).toMatch(/^notifications_sent_total\{[^}]*channel="email"[^}]*template="order-confirmed"[^}]*\} 1$/m);
    expect(body).toMatch(/^notifications_sent_total\{[^}]*channel="email"[^}]*template="order-cancelled"[^}]*\} 1$/m);
    expect(body).toMatch(/^notifications_sent_total\{[^}]*channel="webhook"[^}]*template="stock-low"[^}]*\} 2$/m);
  });

  it('keeps tenants apart: another tenant sees no notifications of this one', async () => {
    for (const query of [`orderId=${confirmedOrder.orderId}`, `customerId=${customerId}`]) {
      const response = await get(`/notifications?${query}`, OTHER_TENANT);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ items: [] });
    }
  });

  it('refuses a malformed X-Tenant-Id with 400; without one the token’s tenant applies', async () => {
    const response = await get(`/notifications?orderId=${confirmedOrder.orderId}`, 'UPPER_case', auth.operator(TENANT));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('X-Tenant-Id') });
    const implicit: any = await (await get(`/notifications?orderId=${confirmedOrder.orderId}`, null, auth.operator(TENANT))).json();
    expect(implicit.items).toHaveLength(1);
  });

  it('answers 401 without a token and 403 for an X-Tenant-Id that is not the token’s tenant', async () => {
    const anonymous = await get(`/notifications?orderId=${confirmedOrder.orderId}`, TENANT, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await get(`/notifications?orderId=${confirmedOrder.orderId}`, TENANT, auth.operator(OTHER_TENANT))).status).toBe(403);
  });

  it('lets a customer read only the notifications addressed to it', async () => {
    const mine = auth.customer(TENANT, customerId);
    const someoneElse = auth.customer(TENANT, 'c-someone-else');
    // ?customerId=: its own (200), another's (403).
    const own: any = await (await get(`/notifications?customerId=${customerId}`, TENANT, mine)).json();
    expect(own.items.map((i: any) => i.template)).toEqual(['order-cancelled', 'order-confirmed']);
    const foreign = await get(`/notifications?customerId=${customerId}`, TENANT, someoneElse);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('own notifications') });
    // ?orderId=: the order's notifications addressed to the caller; another customer's order has none for it.
    expect(((await (await get(`/notifications?orderId=${confirmedOrder.orderId}`, TENANT, mine)).json()) as any).items).toHaveLength(1);
    const other = await get(`/notifications?orderId=${confirmedOrder.orderId}`, TENANT, someoneElse);
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ items: [] });
  });

  it('requires exactly one of orderId and customerId', async () => {
    for (const query of ['', `?orderId=${confirmedOrder.orderId}&customerId=${customerId}`, '?limit=10']) {
      const response = await get(`/notifications${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'exactly one of the query parameters orderId or customerId is required',
      });
    }
  });

  it.each([
    ['a malformed orderId', '?orderId=not-a-uuid'],
    ['a customerId over 64 characters', `?customerId=${'c'.repeat(65)}`],
    ['limit 0', `?customerId=${customerId}&limit=0`],
    ['limit 101', `?customerId=${customerId}&limit=101`],
    ['a non-numeric limit', `?customerId=${customerId}&limit=ten`],
    ['an unknown parameter', `?customerId=${customerId}&status=sent`],
  ])('refuses %s with 400', async (_what, query) => {
    const response = await get(`/notifications${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });
});
