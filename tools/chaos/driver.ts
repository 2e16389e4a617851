/**
 * The chaos suite's client: a fixed set of idempotency keys, each one customer's one order, placed
 * at a steady rate over the run and retried with the same key and body as a careful client would —
 * on a network error or timeout, a 5xx, a 503 or a 429 (waiting Retry-After) — until an attempt is
 * answered 201/200 or with a client error. Some answers are dropped on purpose (the response read
 * and then ignored, as when a connection dies after the server committed) so that the retry is
 * a replay of an order the platform already has.
 */
import { testAuth } from '@platform/service-kit/testing';
import { request } from '../../e2e/harness/platform.js';
import type { KeyOutcome, OrderLine } from './invariants.js';

export interface CatalogueItem {
  readonly sku: string;
  readonly priceCents: number;
  readonly available: number;
}

/**
 * The run's catalogue: three SKUs with stock to spare and one scarce, so that some orders are
 * cancelled out of stock and reservations are released under faults.
 */
export const CATALOGUE: readonly CatalogueItem[] = [
  { sku: 'SKU-CHAOS-A', priceCents: 1250, available: 100_000 },
  { sku: 'SKU-CHAOS-B', priceCents: 399, available: 100_000 },
  { sku: 'SKU-CHAOS-C', priceCents: 2000, available: 100_000 },
  { sku: 'SKU-CHAOS-SCARCE', priceCents: 500, available: 25 },
];

export interface DriverStats {
  /** HTTP attempts of POST /orders. */
  posts: number;
  /** Attempts that were a retry of a key (posts − keys started). */
  retries: number;
  /** Why an attempt was retried. */
  readonly retryReasons: Record<'network' | 'timeout' | '5xx' | '503' | '429' | 'dropped', number>;
  /** Answers with `Idempotent-Replayed: true` (a retry that found its order). */
  replayed: number;
}

export interface DriverOptions {
  readonly orderUrl: string;
  readonly tenant: string;
  readonly keys: number;
  readonly ratePerSecond: number;
  readonly random: () => number;
  /** Keys whose order is a poison one (`tok_gateway_error`: dead-lettered by payment, cancelled by deadline). */
  readonly poison: number;
  /** Share of first answers dropped on purpose (0–1). */
  readonly dropShare: number;
  /** A key still not answered at this time (ms since the epoch) stops trying. */
  readonly giveUpAt: () => number;
  /** Per-attempt timeout (a frozen service never answers). */
  readonly attemptTimeoutMs: number;
}

interface KeyPlan {
  readonly key: string;
  readonly customerId: string;
  readonly items: OrderLine[];
  readonly paymentToken: string;
  readonly poison: boolean;
  readonly dropFirst: boolean;
}

const TOKEN_TTL_S = 4 * 3600;
const RETRY_INITIAL_MS = 200;
const RETRY_MAX_MS = 2_000;
const RETRY_AFTER_MAX_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `Retry-After` as whole seconds or an HTTP date, in ms, at most RETRY_AFTER_MAX_MS; `undefined` when absent or unreadable. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const wait = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isNaN(wait) ? undefined : Math.min(RETRY_AFTER_MAX_MS, Math.max(0, wait));
}

export class OrderDriver {
  readonly stats: DriverStats = { posts: 0, retries: 0, retryReasons: { network: 0, timeout: 0, '5xx': 0, '503': 0, '429': 0, dropped: 0 }, replayed: 0 };
  private readonly plans: KeyPlan[];
  private readonly outcomes = new Map<string, { orderIds: string[]; attempts: number; refused?: string }>();
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: DriverOptions) {
    const { random } = options;
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const run = Math.floor(random() * 0xffffff).toString(16).padStart(6, '0');
    // Poison keys spread over the run (not all at its start), the rest by the mix below.
    const poisonEvery = options.poison > 0 ? Math.max(1, Math.floor(options.keys / options.poison)) : 0;
    this.plans = Array.from({ length: options.keys }, (_, i) => {
      const poison = poisonEvery > 0 && i % poisonEvery === Math.floor(poisonEvery / 2) && Math.floor(i / poisonEvery) < options.poison;
      const lines = new Map<string, number>();
      const count = random() < 0.3 ? 2 : 1;
      for (let n = 0; n < count; n++) {
        const sku = random() < 0.25 ? 'SKU-CHAOS-SCARCE' : pick(CATALOGUE.slice(0, 3)).sku;
        lines.set(sku, (lines.get(sku) ?? 0) + 1 + Math.floor(random() * 3));
      }
      const paymentToken = poison ? 'tok_gateway_error' : random() < 0.1 ? 'tok_decline' : 'tok_visa';
      return {
        key: `chaos-${run}-${String(i).padStart(5, '0')}`,
        customerId: `c-chaos-${i}`,
        items: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
        paymentToken,
        poison,
        dropFirst: random() < options.dropShare,
      };
    });
  }

  /** Place every key, `ratePerSecond` new keys a second; resolves when each key is answered or has given up. */
  async run(): Promise<void> {
    const begin = Date.now();
    const placing: Promise<void>[] = [];
    for (const [i, plan] of this.plans.entries()) {
      const wait = begin + (i * 1000) / this.options.ratePerSecond - Date.now();
      if (wait > 0) await sleep(wait);
      placing.push(this.place(plan));
    }
    await Promise.all(placing);
  }

  /** Each key's outcome (call after {@link run}). */
  keyOutcomes(): KeyOutcome[] {
    return this.plans.map((plan) => {
      const outcome = this.outcomes.get(plan.key) ?? { orderIds: [], attempts: 0 };
      return {
        key: plan.key,
        customerId: plan.customerId,
        items: plan.items,
        paymentToken: plan.paymentToken,
        poison: plan.poison,
        orderId: outcome.orderIds[0],
        orderIds: [...outcome.orderIds],
        attempts: outcome.attempts,
        ...(outcome.refused ? { refused: outcome.refused } : {}),
      };
    });
  }

  private tokenOf(customerId: string): string {
    let token = this.tokens.get(customerId);
    if (token === undefined) {
      token = testAuth().token({ tenant: this.options.tenant, roles: ['customer'], sub: customerId, ttlSeconds: TOKEN_TTL_S });
      this.tokens.set(customerId, token);
    }
    return token;
  }

  private async place(plan: KeyPlan): Promise<void> {
    const outcome: { orderIds: string[]; attempts: number; refused?: string } = { orderIds: [], attempts: 0 };
    this.outcomes.set(plan.key, outcome);
    const body = { customerId: plan.customerId, items: plan.items, paymentToken: plan.paymentToken };
    let backoff = RETRY_INITIAL_MS;
    for (;;) {
      if (outcome.attempts > 0) this.stats.retries++;
      outcome.attempts++;
      this.stats.posts++;
      let wait: number | undefined;
      try {
        const response = await request(`${this.options.orderUrl}/orders`, {
          method: 'POST',
          tenant: this.options.tenant,
          token: this.tokenOf(plan.customerId),
          headers: { 'idempotency-key': plan.key },
          body,
          signal: AbortSignal.timeout(this.options.attemptTimeoutMs),
        });
        if (response.status === 201 || response.status === 200) {
          const orderId = (response.body as { orderId?: unknown })?.orderId;
          if (typeof orderId === 'string' && !outcome.orderIds.includes(orderId)) outcome.orderIds.push(orderId);
          if (response.headers.get('idempotent-replayed') === 'true') this.stats.replayed++;
          if (plan.dropFirst && outcome.attempts === 1) {
            // The answer is "lost": the client never saw it and tries again with the same key.
            this.stats.retryReasons.dropped++;
            wait = 0;
          } else return;
        } else if (response.status === 503 || response.status === 429) {
          this.stats.retryReasons[response.status === 503 ? '503' : '429']++;
          wait = retryAfter(response.headers.get('retry-after'));
        } else if (response.status >= 500) {
          this.stats.retryReasons['5xx']++;
        } else {
          outcome.refused = `${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
          return;
        }
      } catch (error) {
        const name = (error as Error)?.name;
        this.stats.retryReasons[name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network']++;
      }
      if (Date.now() > this.options.giveUpAt()) return;
      if (wait === undefined) {
        // Exponential backoff with jitter, as a client that does not hammer a service that is down.
        wait = backoff / 2 + this.options.random() * (backoff / 2);
        backoff = Math.min(RETRY_MAX_MS, backoff * 2);
      }
      await sleep(wait);
    }
  }
}
