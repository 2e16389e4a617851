import { consumersOf, type EventEnvelope, newEventId } from '@platform/events';
import { type OrderConfirmedV1, platformTopology } from '@platform/contracts';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { describeServiceBoot, startTestService, testAuth, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoyaltyServiceConfig } from './config.js';
import { loyaltyService } from './service.definition.js';

describeServiceBoot(loyaltyService);

const TENANT = 'acme';
const OTHER_TENANT = 'globex';
const WAIT = { timeout: 10_000, interval: 50 };

describe('loyalty service: points for confirmed orders', () => {
  let nats: PlatformTestNats;
  let service: TestService<LoyaltyServiceConfig>;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    service = await startTestService(loyaltyService, nats.envFor('loyalty'));
  });
  afterAll(async () => {
    await service?.dispose();
    await nats?.dispose();
  });

  const auth = testAuth();
  /** GET with `X-Tenant-Id: tenant` (none for null) and a token (default: an operator of the tenant). */
  const get = (path: string, tenant: string | null = TENANT, token: string | null = auth.operator(tenant ?? TENANT)) =>
    fetch(`${service.url}${path}`, { headers: { ...(tenant === null ? {} : { 'x-tenant-id': tenant }), ...(token === null ? {} : auth.bearer(token)) } });

  const confirm = (order: OrderConfirmedV1, sequence = 1, tenantId = TENANT) =>
    nats.publish({ type: 'order.confirmed.v1', source: 'order', tenantId, aggregateId: order.orderId, data: order, sequence });


  /** Everything given to the service's durables is acknowledged, and every event it emitted is published. */
  const settled = async () => {
    await nats.settled(consumersOf(platformTopology(), 'loyalty'));
    await vi.waitFor(async () => expect((await service.runtime.relay.backlog()).pending).toBe(0), WAIT);
  };

  const awardedEvents = async () =>
    (await nats.read('LOYALTY')).map((m) => m.json as EventEnvelope<{ customerId: string; orderId: string; points: number; balance: number }>);

  const customerId = 'c-loyal';
  const firstOrder: OrderConfirmedV1 = { orderId: newEventId(), customerId, totalCents: 12_345, currency: 'EUR' };
  const secondOrder: OrderConfirmedV1 = { orderId: newEventId(), customerId, totalCents: 250, currency: 'EUR' };

  it('awards floor(total / 100) points once per order, despite a second event for the order and a redelivered event', async () => {
    const first = await confirm(firstOrder, 1);
    await confirm(firstOrder, 2); // another event id for the same order: the unique award absorbs it
    await nats.republish(first); // the same event id again: the inbox absorbs it
    await settled();

    const response = await get(`/loyalty/${customerId}`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      customerId,
      points: 123,
      history: [{ orderId: firstOrder.orderId, points: 123, awardedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }],
    });

    const events = await awardedEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'loyalty.points-awarded.v1',
      tenantid: TENANT,
      subject: customerId,
      data: { customerId, orderId: firstOrder.orderId, points: 123, balance: 123 },
    });
    expect(await nats.read('DLQ')).toEqual([]); // the duplicate was absorbed, not failed and dead-lettered
  });

  it('adds a later order to the balance and lists the history newest first', async () => {
    await confirm(secondOrder);
    await vi.waitFor(async () => {
      const body: any = await (await get(`/loyalty/${customerId}`)).json();
      expect(body.points).toBe(125);
      expect(body.history.map((h: { orderId: string; points: number }) => [h.orderId, h.points])).toEqual([
        [secondOrder.orderId, 2],
        [firstOrder.orderId, 123],
      ]);
    }, WAIT);
    await settled();
    const events = await awardedEvents();
    expect(events.map((e) => e.data)).toEqual([
      { customerId, orderId: firstOrder.orderId, points: 123, balance: 123 },
      { customerId, orderId: secondOrder.orderId, points: 2, balance: 125 },
    ]);
  });

  it('records and emits nothing for an order worth less than one point', async () => {
    const before = (await awardedEvents()).length;
    await confirm({ orderId: newEventId(), customerId: 'c-small', totalCents: 99, currency: 'EUR' });
    await settled();
    expect(await (await get('/loyalty/c-small')).json()).toEqual({ customerId: 'c-small', points: 0, history: [] });
    expect(await awardedEvents()).toHaveLength(before);
  });

  it('counts awards and points in its business metrics', async () => {
    const body = await (await get('/metrics')).text();
    expect(body).toMatch(/^loyalty_awards_total(\{[^}]*\})? 2$/m);
    expect(body).toMatch(/^loyalty_points_awarded_total(\{[^}]*\})? 125$/m);
  });

  it('keeps tenants apart: another tenant sees no points for the same customer id', async () => {
    const response = await get(`/loyalty/${customerId}`, OTHER_TENANT);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ customerId, points: 0, history: [] });
  });

  it('answers an unknown customer with 200 and no points', async () => {
    const response = await get('/loyalty/nobody');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ customerId: 'nobody', points: 0, history: [] });
  });

  it('refuses a malformed X-Tenant-Id with 400; without one the token’s tenant applies', async () => {
    const response = await get(`/loyalty/${customerId}`, 'Not A Tenant', auth.operator(TENANT));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('X-Tenant-Id') });
    expect(await (await get(`/loyalty/${customerId}`, null, auth.operator(TENANT))).json()).toMatchObject({ customerId, points: 125 });
  });

  it('answers 401 without a token, and 403 for an X-Tenant-Id that is not the token’s tenant', async () => {
    const anonymous = await get(`/loyalty/${customerId}`, TENANT, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const foreign = await get(`/loyalty/${customerId}`, TENANT, auth.operator(OTHER_TENANT));
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('X-Tenant-Id') });
  });

  it('lets a customer read its own points only (another customer’s account is not found)', async () => {
    const own = await get(`/loyalty/${customerId}`, TENANT, auth.customer(TENANT, customerId));
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ customerId, points: 125 });
    const other = await get('/loyalty/c-small', TENANT, auth.customer(TENANT, customerId));
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    // The operator of the tenant reads every account; a token of another tenant sees nothing of this one.
    expect((await get('/loyalty/c-small', TENANT, auth.operator(TENANT))).status).toBe(200);
    expect(await (await get(`/loyalty/${customerId}`, null, auth.customer(OTHER_TENANT, customerId))).json()).toEqual({ customerId, points: 0, history: [] });
  });

  it('refuses a customer id longer than 64 characters with 400', async () => {
    const response = await get(`/loyalty/${'c'.repeat(65)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });
});
