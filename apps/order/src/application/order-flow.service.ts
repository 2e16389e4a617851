import { Injectable } from '@nestjs/common';
import { type EmitEvent, PermanentError, type Transaction } from '@platform/events';
import { historyEntries, historyTypeOf, outcomeEvent } from '../domain/order.js';
import { decide, type OrderFact } from '../domain/order-flow.js';
import { OrderMetrics } from './order.metrics.js';
import { OrdersStore } from './ports.js';

/** The order's state machine applied: facts from payment, inventory and the clock move the order. */
@Injectable()
export class OrderFlow {
  constructor(
    private readonly orders: OrdersStore,
    private readonly metrics: OrderMetrics,
  ) {}

  /**
   * Apply a fact reported by payment, inventory or the clock, inside the caller's transaction:
   * record it in the history and, when it ends the order, emit `order.confirmed` or `order.cancelled`.
   */
  async apply(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string, fact: OrderFact, historyType: string, at: Date): Promise<void> {
    const order = await this.orders.find(tenantId, orderId, tx, true);
    // Our own order.created precedes every reaction to it, so a missing order is not a race: it
    // is an event about an order this service never had. A human must look at it.
    if (!order) throw new PermanentError(`${historyType} for unknown order ${orderId} (tenant ${tenantId})`);
    const decision = decide(order, fact);
    const now = new Date();
    // The fact, and the order's end when it ends it, join the history in the statement that moves the order.
    await this.orders.move(tx, orderId, decision.next, historyEntries(historyType, at, decision, now));
    const event = outcomeEvent(order, decision);
    if (!event) return;
    await emit(event);
    const seconds = (now.getTime() - order.createdAt.getTime()) / 1000;
    const outcome = decision.outcome!;
    tx.afterCommit(() => {
      if (outcome === 'confirmed') {
        this.metrics.confirmed.inc();
        this.metrics.revenue.inc(order.totalCents);
      } else {
        this.metrics.cancelled.inc({ reason: decision.next.cancellationReason! });
      }
      this.metrics.flowDuration.observe({ outcome }, seconds);
    });
  }

  /** Record an event about an order that does not move it (captured, committed, voided, …). */
  async note(tx: Transaction, tenantId: string, orderId: string, historyType: string, at: Date): Promise<void> {
    const recorded = await this.orders.note(tx, tenantId, orderId, { type: historyTypeOf(historyType), at });
    if (!recorded) throw new PermanentError(`${historyType} for unknown order ${orderId} (tenant ${tenantId})`);
  }
}
