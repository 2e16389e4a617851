import { inventoryCommittedV1, inventoryProductUpdatedV1, inventoryReleasedV1, inventoryReservationFailedV1, inventoryReservedV1, type InventoryReservedV1, inventoryStockLowV1, loyaltyPointsAwardedV1, type LoyaltyPointsAwardedV1, notificationSentV1, orderCancelledV1, type OrderCancelledV1, orderConfirmedV1, type OrderConfirmedV1, orderCreatedV3, type OrderCreatedV3, paymentAuthorizedV1, paymentCapturedV1, paymentDeclinedV1, paymentRefundedV1, type PaymentRefundedV1, paymentVoidedV1, type platformContracts, type PlatformPayload } from '@platform/contracts';

/**
 * The apply rules of the analytics service: which event moves which counter of a tenant's summary.
 * Plain functions, no NATS and no database; the live handlers and the replay both go through
 * {@link factOf}, and the store adds the resulting deltas only when the event id is new.
 */

/** The cancellation reasons the summary breaks `ordersCancelled` down by (order.cancelled.v1 `reason`). */
export const CANCELLATION_REASONS = ['payment_declined', 'out_of_stock', 'unknown_sku', 'timeout'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/** Additive counters of a tenant (every one starts at 0 and only grows). */
export interface Counters {
  ordersCreated: number;
  ordersConfirmed: number;
  ordersCancelled: number;
  cancelledPaymentDeclined: number;
  cancelledOutOfStock: number;
  cancelledUnknownSku: number;
  cancelledTimeout: number;
  /** Sum of the totals of confirmed orders, minor units. */
  revenueCents: number;
  /** Sum of refunded payment amounts, minor units. */
  refundedCents: number;
  paymentsAuthorized: number;
  paymentsDeclined: number;
  paymentsCaptured: number;
  paymentsVoided: number;
  paymentsRefunded: number;
  /** Units moved to reserved (sum of the quantities of inventory.reserved lines). */
  itemsReserved: number;
  stockLowAlerts: number;
  pointsAwarded: number;
  notificationsSent: number;
}

export const COUNTER_KEYS = [
  'ordersCreated',
  'ordersConfirmed',
  'ordersCancelled',
  'cancelledPaymentDeclined',
  'cancelledOutOfStock',
  'cancelledUnknownSku',
  'cancelledTimeout',
  'revenueCents',
  'refundedCents',
  'paymentsAuthorized',
  'paymentsDeclined',
  'paymentsCaptured',
  'paymentsVoided',
  'paymentsRefunded',
  'itemsReserved',
  'stockLowAlerts',
  'pointsAwarded',
  'notificationsSent',
] as const satisfies readonly (keyof Counters)[];

const REASON_COUNTER: Readonly<Record<CancellationReason, keyof Counters>> = {
  payment_declined: 'cancelledPaymentDeclined',
  out_of_stock: 'cancelledOutOfStock',
  unknown_sku: 'cancelledUnknownSku',
  timeout: 'cancelledTimeout',
};

export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTER_KEYS.map((key) => [key, 0])) as unknown as Counters;
}

/** One applied event as the store records it (keyed by `eventId`), with the counter deltas it causes. */
export interface AnalyticsFact {
  readonly eventId: string;
  readonly tenantId: string;
  /** The versioned type the fact was applied as (after upcasting): `order.created.v3`. */
  readonly eventType: string;
  readonly aggregateId: string;
  /** RFC 3339 time of the event (envelope `time`). */
  readonly occurredAt: string;
  /** The money amount the event carries, when it carries one (order total, payment amount). */
  readonly amountCents: number | null;
  /** The quantity the event carries, when it carries one (units reserved, points awarded). */
  readonly quantity: number | null;
  /** The reason the event carries, when it carries one (cancellation, decline, reservation failure). */
  readonly reason: string | null;
  /** Counters moved by this event; absent keys stay unchanged. */
  readonly deltas: Partial<Counters>;
}

/** A contract of the platform catalogue (typed from the catalogue itself: the rules import no events library). */
export type PlatformContract = (typeof platformContracts)[number];

/** What a fact is made of: the envelope fields of the event (an `EventEnvelope` has them all). */
export interface AppliedEvent {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly subject: string;
  readonly tenantid: string;
  readonly data: unknown;
}

interface Rule {
  readonly contract: PlatformContract;
  readonly apply: (data: never) => Pick<AnalyticsFact, 'amountCents' | 'quantity' | 'reason' | 'deltas'>;
}

const rule = <Contract extends PlatformContract>(
  contract: Contract,
  apply: (data: PlatformPayload<Contract['type']>) => Partial<Pick<AnalyticsFact, 'amountCents' | 'quantity' | 'reason'>> & { deltas: Partial<Counters> },
): Rule => ({
  contract,
  apply: ((data: PlatformPayload<Contract['type']>) => ({ amountCents: null, quantity: null, reason: null, ...apply(data) })) as Rule['apply'],
});

type WithAmount = { amountCents: number; reason?: string };

/**
 * The events analytics applies, at the version its handlers take (older versions are upcast
 * first: order.created v1 and v2 arrive here as v3). Events that move no counter are still recorded
 * (they advance `lastEventAt`).
 */
const RULES: readonly Rule[] = [
  rule(orderCreatedV3, (d: OrderCreatedV3) => ({ amountCents: d.total.amountCents, deltas: { ordersCreated: 1 } })),
  rule(orderConfirmedV1, (d: OrderConfirmedV1) => ({ amountCents: d.totalCents, deltas: { ordersConfirmed: 1, revenueCents: d.totalCents } })),
  rule(orderCancelledV1, (d: OrderCancelledV1) => ({
    amountCents: d.totalCents,
    reason: d.reason,
    deltas: { ordersCancelled: 1, ...(Object.hasOwn(REASON_COUNTER, d.reason) ? { [REASON_COUNTER[d.reason]]: 1 } : {}) },
  })),
  rule(paymentAuthorizedV1, (d: WithAmount) => ({ amountCents: d.amountCents, deltas: { paymentsAuthorized: 1 } })),
  rule(paymentDeclinedV1, (d: WithAmount) => ({ amountCents: d.amountCents, reason: d.reason ?? null, deltas: { paymentsDeclined: 1 } })),
  rule(paymentCapturedV1, (d: WithAmount) => ({ amountCents: d.amountCents, deltas: { paymentsCaptured: 1 } })),
  rule(paymentVoidedV1, (d: WithAmount) => ({ amountCents: d.amountCents, deltas: { paymentsVoided: 1 } })),
  rule(paymentRefundedV1, (d: PaymentRefundedV1) => ({ amountCents: d.amountCents, deltas: { paymentsRefunded: 1, refundedCents: d.amountCents } })),
  rule(inventoryReservedV1, (d: InventoryReservedV1) => {
    const units = d.items.reduce((sum, item) => sum + item.quantity, 0);
    return { quantity: units, deltas: { itemsReserved: units } };
  }),
  rule(inventoryReservationFailedV1, (d: { reason: string }) => ({ reason: d.reason, deltas: {} })),
  rule(inventoryCommittedV1, () => ({ deltas: {} })),
  rule(inventoryReleasedV1, () => ({ deltas: {} })),
  rule(inventoryStockLowV1, (d: { available: number }) => ({ quantity: d.available, deltas: { stockLowAlerts: 1 } })),
  rule(inventoryProductUpdatedV1, () => ({ deltas: {} })),
  rule(loyaltyPointsAwardedV1, (d: LoyaltyPointsAwardedV1) => ({ quantity: d.points, deltas: { pointsAwarded: d.points } })),
  rule(notificationSentV1, () => ({ deltas: { notificationsSent: 1 } })),
];

const RULE_BY_TYPE = new Map<string, Rule>(RULES.map((r) => [r.contract.type, r]));

/** The contracts the analytics handlers are bound to (one per event, at the handled version). */
export const ANALYTICS_CONTRACTS: readonly PlatformContract[] = RULES.map((r) => r.contract);

/** Unversioned type → the handled contract (`order.created` → `order.created.v3`). */
export const ANALYTICS_CONTRACT_BY_EVENT: ReadonlyMap<string, PlatformContract> = new Map(RULES.map((r) => [r.contract.unversioned, r.contract]));

/**
 * The fact an event records. `event` must be valid and at a handled version.
 * @throws TypeError for a type analytics does not apply (a programming error).
 */
export function factOf(event: AppliedEvent): AnalyticsFact {
  const found = RULE_BY_TYPE.get(event.type);
  if (!found) throw new TypeError(`analytics has no apply rule for ${event.type}`);
  const applied = found.apply(event.data as never);
  return {
    eventId: event.id,
    tenantId: event.tenantid,
    eventType: event.type,
    aggregateId: event.subject,
    occurredAt: event.time,
    ...applied,
  };
}

/** Counters kept per reason in storage and shown grouped in the summary. */
type CancellationCounter = 'cancelledPaymentDeclined' | 'cancelledOutOfStock' | 'cancelledUnknownSku' | 'cancelledTimeout';

/** What `GET /analytics/summary` returns for a tenant: the counters, cancellations grouped by reason. */
export type AnalyticsSummary = Omit<Counters, CancellationCounter> & {
  cancellationsByReason: Record<CancellationReason, number>;
  /** confirmed / (confirmed + cancelled); 0 when no order reached a terminal state. */
  confirmationRatio: number;
  /** Time of the latest applied event (RFC 3339), null when none. */
  lastEventAt: string | null;
};

/** The summary of a tenant from its counters (zeros and null for a tenant without events). */
export function summaryOf(counters: Counters, lastEventAt: string | null): AnalyticsSummary {
  const terminal = counters.ordersConfirmed + counters.ordersCancelled;
  return {
    ordersCreated: counters.ordersCreated,
    ordersConfirmed: counters.ordersConfirmed,
    ordersCancelled: counters.ordersCancelled,
    cancellationsByReason: {
      payment_declined: counters.cancelledPaymentDeclined,
      out_of_stock: counters.cancelledOutOfStock,
      unknown_sku: counters.cancelledUnknownSku,
      timeout: counters.cancelledTimeout,
    },
    revenueCents: counters.revenueCents,
    refundedCents: counters.refundedCents,
    paymentsAuthorized: counters.paymentsAuthorized,
    paymentsDeclined: counters.paymentsDeclined,
    paymentsCaptured: counters.paymentsCaptured,
    paymentsVoided: counters.paymentsVoided,
    paymentsRefunded: counters.paymentsRefunded,
    itemsReserved: counters.itemsReserved,
    stockLowAlerts: counters.stockLowAlerts,
    pointsAwarded: counters.pointsAwarded,
    notificationsSent: counters.notificationsSent,
    confirmationRatio: terminal === 0 ? 0 : counters.ordersConfirmed / terminal,
    lastEventAt,
  };
}

/** A tenant's state in memory: what the store keeps in `analytics_tenant_summary`. */
export interface TenantTotals {
  readonly counters: Counters;
  readonly lastEventAt: string | null;
}

/** Add a fact's deltas to a tenant's totals (pure; the store does the same in SQL). */
export function addFact(totals: TenantTotals, fact: AnalyticsFact): TenantTotals {
  const counters = { ...totals.counters };
  for (const key of COUNTER_KEYS) counters[key] += fact.deltas[key] ?? 0;
  const lastEventAt =
    totals.lastEventAt === null || Date.parse(fact.occurredAt) > Date.parse(totals.lastEventAt) ? new Date(fact.occurredAt).toISOString() : totals.lastEventAt;
  return { counters, lastEventAt };
}
