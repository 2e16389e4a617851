import { createHash } from 'node:crypto';
import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { type Database, newEventId, type Transaction } from '@platform/events';
import { orderCreatedV3, type OrderCreatedV3 } from '@platform/contracts';
import { DATABASE, EventOutbox, PaymentTokenSealer, SERVICE_CONFIG, type RequestEventContext } from '@platform/service-kit';
import type { OrderServiceConfig } from '../config.js';
import { historyTypeOf, type Order } from '../domain/order.js';
import { priceOrder, type RequestedLine } from '../domain/pricing.js';
import { OrderMetrics } from './order.metrics.js';
import { CatalogueStore, IdempotencyKeysStore, OrdersStore } from './ports.js';

export interface PlaceOrderCommand {
  readonly customerId: string;
  readonly items: readonly RequestedLine[];
  readonly paymentToken: string;
}

/** `POST /orders`: a new PENDING order and its `order.created`, or the replay of an `Idempotency-Key`. */
@Injectable()
export class PlaceOrder {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly outbox: EventOutbox,
    private readonly orders: OrdersStore,
    private readonly keys: IdempotencyKeysStore,
    private readonly catalogue: CatalogueStore,
    @Inject(SERVICE_CONFIG) private readonly config: OrderServiceConfig,
    private readonly metrics: OrderMetrics,
    private readonly sealer: PaymentTokenSealer,
  ) {}

  /**
   * Price the order from the catalogue projection, store it PENDING with its `order.created`
   * event in one transaction. With an idempotency key, a retried request (same key, same body)
   * returns the order created the first time; the same key with another body is refused (422).
   * The card token is not stored: it travels only sealed for the payment service, bound to this
   * tenant and order (`paymentTokenSealed`), and the idempotency fingerprint keeps only a hash.
   */
  async place(tenantId: string, order: PlaceOrderCommand, idempotencyKey: string | undefined, context: RequestEventContext): Promise<{ order: Order; replayed: boolean }> {
    return this.db.transaction(async (tx) => {
      const orderId = newEventId();
      if (idempotencyKey !== undefined) {
        const requestHash = requestHashOf(order);
        if (!(await this.keys.claim(tx, tenantId, idempotencyKey, requestHash, orderId))) {
          return { order: await this.replay(tx, tenantId, idempotencyKey, requestHash), replayed: true };
        }
      }
      const pricing = priceOrder(order.items, await this.catalogue.prices(tx, tenantId, order.items.map((item) => item.sku)));
      if (!pricing.ok) {
        throw new UnprocessableEntityException(
          pricing.unknownSkus ? `unknown SKU: ${pricing.unknownSkus.join(', ')}` : `items are priced in different currencies: ${pricing.mixedCurrencies!.join(', ')}`,
        );
      }
      const now = new Date();
      const deadline = new Date(now.getTime() + this.config.ORDER_DEADLINE_MS);
      const placed = await this.orders.insert(
        tx,
        { orderId, tenantId, customerId: order.customerId, totalCents: pricing.totalCents, currency: pricing.currency, items: pricing.items, createdAt: now, deadlineAt: deadline },
        historyTypeOf(orderCreatedV3.type),
      );
      const data: OrderCreatedV3 = {
        orderId,
        customer: { id: order.customerId },
        items: pricing.items,
        total: { amountCents: pricing.totalCents, currency: pricing.currency },
        paymentTokenSealed: this.sealer.seal(order.paymentToken, { tenantId, orderId }),
        deadlineAt: deadline.toISOString(),
      };
      const emit = this.outbox.emitter(tx, { tenantId, ...context });
      await emit({ type: orderCreatedV3.type, aggregateId: orderId, data });
      tx.afterCommit(() => this.metrics.created.inc());
      return { order: placed, replayed: false };
    });
  }

  private async replay(tx: Transaction, tenantId: string, key: string, requestHash: string): Promise<Order> {
    const claimed = await this.keys.claimed(tx, tenantId, key);
    if (claimed.requestHash !== requestHash) {
      throw new UnprocessableEntityException('Idempotency-Key was already used with a different request body');
    }
    return (await this.orders.find(tenantId, claimed.orderId, tx))!;
  }
}

/** What identifies a request body for `Idempotency-Key`: the same key with another hash is refused. */
function requestHashOf(order: PlaceOrderCommand): string {
  return createHash('sha256').update(JSON.stringify([order.customerId, order.items.map((i) => [i.sku, i.quantity]), order.paymentToken])).digest('hex');
}
