/**
 * The chaos suite's invariants: pure functions over what the run placed (the driver's keys) and
 * what the platform answered afterwards through its HTTP API (plus the DLQ stream and each
 * service's outbox gauge). No I/O here, so that a spec can feed it a broken platform's answers.
 */

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

/** One idempotency key of the driver: one customer, one order body, every attempt with the same key. */
export interface KeyOutcome {
  readonly key: string;
  readonly customerId: string;
  readonly items: readonly OrderLine[];
  readonly paymentToken: string;
  /** A poison order (`tok_gateway_error`): its order.created is expected in the DLQ. */
  readonly poison: boolean;
  /** The order id of the first attempt answered 201/200; absent when no attempt was. */
  readonly orderId?: string;
  /** Every distinct order id the attempts of this key were answered with (one when idempotent). */
  readonly orderIds: readonly string[];
  readonly attempts: number;
  /** A client error (4xx other than 429) that ended the key's attempts, e.g. `422 …`. */
  readonly refused?: string;
}

/** An order as `GET /orders?customerId=` lists it. */
export interface ObservedOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly items: readonly OrderLine[];
  readonly cancellationReason?: string;
}

export interface ObservedPayment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly status: string;
  readonly amountCents: number;
}

export interface ObservedNotification {
  readonly orderId?: string;
  readonly template: string;
}

export interface ObservedProduct {
  readonly sku: string;
  /** `available` as the run set it (PUT /products) before the first order. */
  readonly initial: number;
  readonly available: number;
  readonly reserved: number;
}

/** The counters of `GET /analytics/summary` the invariants compare. */
export interface ObservedAnalytics {
  readonly ordersCreated: number;
  readonly ordersConfirmed: number;
  readonly ordersCancelled: number;
  readonly revenueCents: number;
  readonly paymentsCaptured: number;
  readonly pointsAwarded: number;
  readonly notificationsSent: number;
  readonly stockLowAlerts: number;
}

export interface DeadLetter {
  readonly subject: string;
  readonly consumer: string;
  readonly reason: string;
  /** The dead event's order id (its `data.orderId`, else its aggregate), when it has one. */
  readonly orderId?: string;
}

/** What the platform answered after the run settled. */
export interface Observations {
  readonly keys: readonly KeyOutcome[];
  /** `GET /orders?customerId=<key's customer>` per customer: every order the platform has for it. */
  readonly ordersByCustomer: Readonly<Record<string, readonly ObservedOrder[]>>;
  readonly paymentsByOrder: Readonly<Record<string, readonly ObservedPayment[]>>;
  readonly notificationsByOrder: Readonly<Record<string, readonly ObservedNotification[]>>;
  /** `GET /loyalty/<customer>` points. */
  readonly pointsByCustomer: Readonly<Record<string, number>>;
  readonly products: readonly ObservedProduct[];
  readonly analytics: ObservedAnalytics;
  /** `events_outbox_pending_rows` per service (its /metrics). */
  readonly outboxPending: Readonly<Record<string, number>>;
  readonly deadLetters: readonly DeadLetter[];
  /** Services that exited without the run killing them (each was started again). */
  readonly unpromptedExits: readonly string[];
}

export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  /** How many things were checked (orders, products, services, …). */
  readonly checked: number;
  /** What broke, one line each (all of them; the report shows the first few). */
  readonly failures: readonly string[];
}

const TERMINAL_TEMPLATE: Record<string, string> = { CONFIRMED: 'order-confirmed', CANCELLED: 'order-cancelled' };
const CANCELLED_PAYMENT = new Set(['voided', 'cancelled', 'declined']);
/** Loyalty: one point per whole currency unit of a confirmed order. */
export const pointsFor = (totalCents: number): number => Math.floor(totalCents / 100);

function result(name: string, checked: number, failures: string[]): InvariantResult {
  return { name, ok: failures.length === 0, checked, failures };
}

/** The order the platform holds for an accepted key (the one its customer has), if any. */
function orderOf(observations: Observations, key: KeyOutcome): ObservedOrder | undefined {
  return (observations.ordersByCustomer[key.customerId] ?? []).find((order) => order.orderId === key.orderId);
}

/** Every invariant of the chaos suite, in report order. */
export function checkInvariants(observations: Observations): InvariantResult[] {
  const { keys } = observations;
  const accepted = keys.filter((key) => key.orderId !== undefined);
  const orders = accepted.map((key) => ({ key, order: orderOf(observations, key) }));
  const known = orders.filter((o): o is { key: KeyOutcome; order: ObservedOrder } => o.order !== undefined);
  const confirmed = known.filter(({ order }) => order.status === 'CONFIRMED').map(({ order }) => order);
  const cancelled = known.filter(({ order }) => order.status === 'CANCELLED').map(({ order }) => order);
  const results: InvariantResult[] = [];

  results.push(
    result(
      'every key accepted (201/200 after retries)',
      keys.length,
      keys.filter((key) => key.orderId === undefined).map((key) => `${key.key}: ${key.refused ?? `no attempt of ${key.attempts} was answered 201`}`),
    ),
  );

  results.push(
    result(
      'every accepted order terminal',
      accepted.length,
      orders.flatMap(({ key, order }) =>
        !order ? [`${key.key}: order ${key.orderId} not found`] : order.status === 'PENDING' ? [`${key.key}: order ${order.orderId} still PENDING`] : [],
      ),
    ),
  );

  results.push(
    result(
      'one order per key',
      accepted.length,
      accepted.flatMap((key) => {
        const failures: string[] = [];
        if (key.orderIds.length > 1) failures.push(`${key.key}: its attempts were answered with ${key.orderIds.length} orders (${key.orderIds.join(', ')})`);
        const held = observations.ordersByCustomer[key.customerId] ?? [];
        if (held.length !== 1) failures.push(`${key.key}: customer ${key.customerId} has ${held.length} orders (${held.map((o) => o.orderId).join(', ') || 'none'})`);
        return failures;
      }),
    ),
  );

  results.push(
    result(
      'one payment per order, captured exactly for confirmed orders',
      known.length,
      known.flatMap(({ key, order }) => {
        const payments = observations.paymentsByOrder[order.orderId] ?? [];
        if (payments.length !== 1) return [`${key.key}: order ${order.orderId} (${order.status}) has ${payments.length} payments (${payments.map((p) => p.status).join(', ') || 'none'})`];
        const payment = payments[0]!;
        if (order.status === 'CONFIRMED' && (payment.status !== 'captured' || payment.amountCents !== order.totalCents)) {
          return [`${key.key}: confirmed order ${order.orderId} of ${order.totalCents} has payment ${payment.status} ${payment.amountCents}`];
        }
        if (order.status === 'CANCELLED' && !CANCELLED_PAYMENT.has(payment.status)) return [`${key.key}: cancelled order ${order.orderId} has payment ${payment.status}`];
        return [];
      }),
    ),
  );

  const committed = new Map<string, number>();
  for (const order of confirmed) for (const line of order.items) committed.set(line.sku, (committed.get(line.sku) ?? 0) + line.quantity);
  results.push(
    result(
      'stock conserved (initial = available + confirmed units; nothing reserved)',
      observations.products.length,
      observations.products.flatMap((product) => {
        const units = committed.get(product.sku) ?? 0;
        const failures: string[] = [];
        if (product.available + units !== product.initial) failures.push(`${product.sku}: initial ${product.initial} ≠ available ${product.available} + confirmed ${units}`);
        if (product.reserved !== 0) failures.push(`${product.sku}: ${product.reserved} units still reserved`);
        if (product.available < 0) failures.push(`${product.sku}: available ${product.available} < 0`);
        return failures;
      }),
    ),
  );

  const points = (order: ObservedOrder) => (order.status === 'CONFIRMED' ? pointsFor(order.totalCents) : 0);
  results.push(
    result(
      'loyalty points equal the confirmed orders',
      known.length,
      known.flatMap(({ key, order }) => {
        const actual = observations.pointsByCustomer[key.customerId];
        return actual === points(order) ? [] : [`${key.key}: customer ${key.customerId} (${order.status} ${order.totalCents}) has ${actual ?? 'no'} points, expected ${points(order)}`];
      }),
    ),
  );

  const a = observations.analytics;
  const expected: Array<[keyof ObservedAnalytics, number]> = [
    ['ordersCreated', accepted.length],
    ['ordersConfirmed', confirmed.length],
    ['ordersCancelled', cancelled.length],
    ['revenueCents', confirmed.reduce((sum, order) => sum + order.totalCents, 0)],
    ['paymentsCaptured', confirmed.length],
    ['pointsAwarded', confirmed.reduce((sum, order) => sum + points(order), 0)],
    // One terminal notification per order, plus one per stock-low alert.
    ['notificationsSent', known.length + a.stockLowAlerts],
  ];
  results.push(
    result(
      'analytics counters equal the orders',
      expected.length,
      expected.filter(([name, value]) => a[name] !== value).map(([name, value]) => `${name} is ${a[name]}, expected ${value}`),
    ),
  );

  results.push(
    result(
      'one terminal notification per order',
      known.length,
      known.flatMap(({ key, order }) => {
        const notes = (observations.notificationsByOrder[order.orderId] ?? []).map((n) => n.template);
        const want = TERMINAL_TEMPLATE[order.status];
        return notes.length === 1 && notes[0] === want ? [] : [`${key.key}: ${order.status} order ${order.orderId} has notifications [${notes.join(', ')}], expected [${want ?? 'a terminal one'}]`];
      }),
    ),
  );

  const outbox = Object.entries(observations.outboxPending);
  results.push(
    result(
      'no unpublished outbox rows',
      outbox.length,
      outbox.filter(([, rows]) => rows !== 0).map(([service, rows]) => `${service}: ${rows} outbox rows not published`),
    ),
  );

  // The only dead letters allowed: each poison order's order.created, on payment-orders, retries exhausted.
  const poison = new Set(accepted.filter((key) => key.poison).map((key) => key.orderId!));
  const isExpected = (dead: DeadLetter) => dead.consumer === 'payment-orders' && dead.reason === 'retries_exhausted' && dead.orderId !== undefined && poison.has(dead.orderId);
  const expectedDead = observations.deadLetters.filter(isExpected);
  const deadFailures = observations.deadLetters.filter((dead) => !isExpected(dead)).map((dead) => `${dead.subject}: ${dead.consumer} ${dead.reason}${dead.orderId ? ` (order ${dead.orderId})` : ''}`);
  const deadOrders = new Set(expectedDead.map((dead) => dead.orderId));
  for (const orderId of poison) if (!deadOrders.has(orderId)) deadFailures.push(`poison order ${orderId}: not dead-lettered`);
  if (expectedDead.length > deadOrders.size) deadFailures.push(`poison orders dead-lettered more than once (${expectedDead.length} letters for ${deadOrders.size} orders)`);
  results.push(result(poison.size === 0 ? 'DLQ empty' : `DLQ holds only the ${poison.size} poison orders`, observations.deadLetters.length + poison.size, deadFailures));

  results.push(
    result(
      'no service exited unprompted',
      observations.unpromptedExits.length,
      observations.unpromptedExits.map((exit) => `${exit} (started again by the run)`),
    ),
  );
  return results;
}
