import { jetstream } from '@nats-io/jetstream';
import { encodeEnvelope, type EventEnvelope, newEventId } from '@platform/events';
import { platformExamplePayloads, subjectFor } from '@platform/contracts';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { describeServiceBoot, startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnalyticsServiceConfig } from './config.js';
import { analyticsService } from './service.definition.js';

describeServiceBoot(analyticsService);

describe('analytics service: aggregates from the event streams', () => {
  let nats: PlatformTestNats;
  let service: TestService<AnalyticsServiceConfig>;
  const published: EventEnvelope[] = [];

  const auth = testAuth();
  /** GET with `X-Tenant-Id: tenantId` (none when undefined) and a token (default: an operator of that tenant, or of acme). */
  const get = (path: string, tenantId?: string, token: string | null = auth.operator(tenantId ?? 'acme')) =>
    fetch(`${service.url}${path}`, { headers: { ...(tenantId === undefined ? {} : { 'x-tenant-id': tenantId }), ...(token === null ? {} : auth.bearer(token)) } });
  const rebuild = (token: string | null = auth.operator('acme')) => fetch(`${service.url}/analytics/rebuild`, { method: 'POST', headers: token === null ? {} : auth.bearer(token) });
  const summaryOf = async (tenantId: string) => {
    const response = await get('/analytics/summary', tenantId);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const metrics = async () => (await get('/metrics')).text();

  /** Publish as a producer would, and remember the envelope. */
  const publish = async (input: Parameters<PlatformTestNats['publish']>[0]) => {
    const envelope = await nats.publish(input);
    published.push(envelope);
    return envelope;
  };
  /** Publish raw bytes without a Nats-Msg-Id (so JetStream keeps a second copy of an event). */
  const publishRaw = async (subject: string, data: Uint8Array | string) => {
    const nc = await nats.connect();
    try {
      await jetstream(nc).publish(subject, data);
    } finally {
      await nc.close();
    }
  };

  const orderA = newEventId();
  const orderB = newEventId();
  const paymentA = newEventId();
  const paymentB = newEventId();
  const zeros = {
    ordersCreated: 0,
    ordersConfirmed: 0,
    ordersCancelled: 0,
    cancellationsByReason: { payment_declined: 0, out_of_stock: 0, unknown_sku: 0, timeout: 0 },
    revenueCents: 0,
    refundedCents: 0,
    paymentsAuthorized: 0,
    paymentsDeclined: 0,
    paymentsCaptured: 0,
    paymentsVoided: 0,
    paymentsRefunded: 0,
    itemsReserved: 0,
    stockLowAlerts: 0,
    pointsAwarded: 0,
    notificationsSent: 0,
    confirmationRatio: 0,
    lastEventAt: null,
  };
  let expectedAcme: Record<string, unknown>;
  let expectedGlobex: Record<string, unknown>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(analyticsService, nats.envFor('analytics'));

    const ex = platformExamplePayloads;
    // Order A (v2): authorized, reserved, confirmed, captured, points, notification.
    await publish({ type: 'order.created.v2', source: 'order', tenantId: 'acme', aggregateId: orderA, data: { ...ex['order.created.v2'], orderId: orderA } });
    await publish({ type: 'payment.authorized.v1', source: 'payment', tenantId: 'acme', aggregateId: paymentA, data: { ...ex['payment.authorized.v1'], paymentId: paymentA, orderId: orderA } });
    await publish({ type: 'inventory.reserved.v1', source: 'inventory', tenantId: 'acme', aggregateId: orderA, data: { ...ex['inventory.reserved.v1'], orderId: orderA } });
    await publish({ type: 'inventory.stock-low.v1', source: 'inventory', tenantId: 'acme', aggregateId: 'SKU-001', data: ex['inventory.stock-low.v1'] });
    const confirmed = await publish({
      type: 'order.confirmed.v1',
      source: 'order',
      tenantId: 'acme',
      aggregateId: orderA,
      sequence: 2,
      data: { ...ex['order.confirmed.v1'], orderId: orderA },
    });
    await publish({ type: 'payment.captured.v1', source: 'payment', tenantId: 'acme', aggregateId: paymentA, sequence: 2, data: { ...ex['payment.captured.v1'], paymentId: paymentA, orderId: orderA } });
    await publish({ type: 'loyalty.points-awarded.v1', source: 'loyalty', tenantId: 'acme', aggregateId: 'c-1', data: { ...ex['loyalty.points-awarded.v1'], orderId: orderA } });
    await publish({ type: 'notification.sent.v1', source: 'notification', tenantId: 'acme', aggregateId: ex['notification.sent.v1'].notificationId, data: { ...ex['notification.sent.v1'], orderId: orderA } });
    // Order B from a producer still on v1: declined, cancelled.
    await publish({
      type: 'order.created.v1',
      source: 'order',
      tenantId: 'acme',
      aggregateId: orderB,
      data: { ...ex['order.created.v1'], orderId: orderB, customerId: 'c-2', items: [{ sku: 'SKU-003', quantity: 1, unitPriceCents: 1500 }], totalCents: 1500 },
    });
    await publish({ type: 'payment.declined.v1', source: 'payment', tenantId: 'acme', aggregateId: paymentB, data: { ...ex['payment.declined.v1'], paymentId: paymentB, orderId: orderB, amountCents: 1500 } });
    await publish({
      type: 'order.cancelled.v1',
      source: 'order',
      tenantId: 'acme',
      aggregateId: orderB,
      sequence: 2,
      data: { ...ex['order.cancelled.v1'], orderId: orderB, customerId: 'c-2', reason: 'payment_declined', totalCents: 1500, items: [{ sku: 'SKU-003', quantity: 1 }] },
    });
    // The same event stored twice (a re-published outbox range after the duplicate window).
    await publishRaw(subjectFor(confirmed.type, 'acme'), encodeEnvelope(confirmed));
    // Garbage and an unknown type: dead-lettered live, skipped by the rebuild.
    await publishRaw('orders.acme.created', '{"not":"an envelope"}');
    await publish({ type: 'order.shipped.v1', source: 'order', tenantId: 'acme', aggregateId: orderA, sequence: 3, data: { orderId: orderA } });
    // Another tenant.
    const globexOrder = newEventId();
    const globex = await publish({
      type: 'order.created.v2',
      source: 'order',
      tenantId: 'globex',
      aggregateId: globexOrder,
      data: { ...ex['order.created.v2'], orderId: globexOrder },
    });

    const acmeTimes = published.filter((e) => e.tenantid === 'acme' && e.type !== 'order.shipped.v1').map((e) => Date.parse(e.time));
    expectedAcme = {
      ...zeros,
      ordersCreated: 2,
      ordersConfirmed: 1,
      ordersCancelled: 1,
      cancellationsByReason: { payment_declined: 1, out_of_stock: 0, unknown_sku: 0, timeout: 0 },
      revenueCents: 4498,
      paymentsAuthorized: 1,
      paymentsDeclined: 1,
      paymentsCaptured: 1,
      itemsReserved: 3,
      stockLowAlerts: 1,
      pointsAwarded: 44,
      notificationsSent: 1,
      confirmationRatio: 0.5,
      lastEventAt: new Date(Math.max(...acmeTimes)).toISOString(),
    };
    expectedGlobex = { ...zeros, ordersCreated: 1, lastEventAt: globex.time };
  });

  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  it('aggregates a tenant’s flow exactly once (v1 upcast, duplicate skipped, garbage dead-lettered)', async () => {
    await vi.waitFor(
      async () => {
        const text = await metrics();
        // The duplicate copy of order.confirmed reached the consumer and was skipped by the inbox…
        expect(text).toMatch(/^events_consumed_total\{[^}]*consumer="analytics-orders"[^}]*outcome="duplicate"[^}]*\} 1$/m);
        // …and both bad messages went to the DLQ.
        expect((await nats.read('DLQ')).length).toBe(2);
        expect(await summaryOf('acme')).toEqual(expectedAcme);
      },
      { timeout: 10_000, interval: 100 },
    );
    const text = await metrics();
    expect(text).toMatch(/^analytics_events_applied_total\{[^}]*event_type="order\.created\.v3"[^}]*\} 3$/m);
    expect(text).toMatch(/^analytics_events_applied_total\{[^}]*event_type="order\.confirmed\.v1"[^}]*\} 1$/m);
  });

  it('keeps tenants apart: another tenant sees only its own events, an unknown one zeros', async () => {
    await vi.waitFor(async () => expect(await summaryOf('globex')).toEqual(expectedGlobex), { timeout: 10_000, interval: 100 });
    expect(await summaryOf('initech')).toEqual(zeros);
  });

  it('answers 400 to a malformed X-Tenant-Id; without one the token’s tenant applies', async () => {
    for (const bad of ['ACME', '-acme', 'ac me', 'a'.repeat(64)]) {
      const response = await get('/analytics/summary', bad, auth.operator('acme'));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ statusCode: 400, message: expect.stringMatching(/X-Tenant-Id/) });
    }
    await vi.waitFor(async () => expect(await (await get('/analytics/summary', undefined, auth.operator('globex'))).json()).toEqual(expectedGlobex), { timeout: 10_000, interval: 100 });
  });

  it('needs an operator token of the tenant: 401 without a token, 403 for a customer or another tenant’s operator', async () => {
    const anonymous = await get('/analytics/summary', 'acme', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const customer = await get('/analytics/summary', 'acme', auth.customer('acme', 'c-1'));
    expect(customer.status).toBe(403);
    expect(await customer.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this endpoint needs the operator role' });
    expect((await get('/analytics/summary', 'acme', auth.operator('globex'))).status).toBe(403);
    expect((await rebuild(null)).status).toBe(401);
    expect((await rebuild(auth.customer('acme', 'c-1'))).status).toBe(403);
  });

  it('rebuilds the same aggregates from the streams (POST /analytics/rebuild)', async () => {
    // Wait until every event is applied, then damage the aggregates so that only a real rebuild repairs them.
    await vi.waitFor(async () => expect(await summaryOf('globex')).toEqual(expectedGlobex), { timeout: 10_000, interval: 100 });
    await vi.waitFor(async () => expect(await summaryOf('acme')).toEqual(expectedAcme), { timeout: 10_000, interval: 100 });
    await service.db.query("DELETE FROM analytics_tenant_summary WHERE tenant_id = 'acme'");
    await service.db.query("INSERT INTO analytics_tenant_summary (tenant_id, shard, orders_created, revenue_cents) VALUES ('acme', 0, 999, 1)");
    await service.db.query("DELETE FROM analytics_tenant_summary WHERE tenant_id = 'globex'");
    expect(await summaryOf('acme')).toMatchObject({ ordersCreated: 999, revenueCents: 1 });

    const response = await rebuild();
    expect(response.status).toBe(200);
    const body = await response.json();
    // ORDERS holds 8 messages: 6 valid (one event twice), 1 garbage, 1 unknown type.
    expect((await nats.read('ORDERS')).length).toBe(8);
    expect(body).toEqual({ rebuilt: { ORDERS: 6, PAYMENTS: 3, INVENTORY: 2, LOYALTY: 1, NOTIFICATIONS: 1 }, skipped: 2 });

    expect(await summaryOf('acme')).toEqual(expectedAcme);
    expect(await summaryOf('globex')).toEqual(expectedGlobex);
    expect(await summaryOf('initech')).toEqual(zeros);
    expect(await metrics()).toMatch(/^analytics_replays_total\{[^}]*result="success"[^}]*\} 1$/m);
  });

  it('applies events published after a rebuild exactly once', async () => {
    const later = newEventId();
    await publish({
      type: 'order.created.v2',
      source: 'order',
      tenantId: 'globex',
      aggregateId: later,
      data: { ...platformExamplePayloads['order.created.v2'], orderId: later },
    });
    await vi.waitFor(async () => expect(await summaryOf('globex')).toMatchObject({ ordersCreated: 2 }), { timeout: 10_000, interval: 100 });
    const again = await rebuild();
    expect(await again.json()).toMatchObject({ rebuilt: { ORDERS: 7 }, skipped: 2 });
    expect(await summaryOf('globex')).toMatchObject({ ordersCreated: 2 });
  });
});
