import { Injectable } from '@nestjs/common';
import { inventoryCommittedV1, inventoryReleasedV1, inventoryReservationFailedV1, inventoryReservedV1, inventoryStockLowV1 } from '@platform/contracts';
import { type EmitEvent, PermanentError, type Transaction } from '@platform/events';
import { confirmWithoutReservation, mergeLines, planReservation, type StockLine, unitsOf } from '../domain/reservation.js';
import { InventoryMetrics } from './inventory.metrics.js';
import { ReservationsStore } from './ports.js';

/**
 * Reservations of order lines against stock. Every method runs in the transaction of the event
 * being handled; product rows are locked in SKU order, so concurrent orders racing for the last
 * units serialise on the rows and never oversell (and `available >= 0` is also a table constraint).
 */
@Injectable()
export class ReservationsService {
  constructor(
    private readonly reservations: ReservationsStore,
    private readonly metrics: InventoryMetrics,
  ) {}

  /** `order.created`: reserve every line or none. A reservation already recorded (or a cancellation seen first) wins. */
  async reserve(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string, lines: readonly StockLine[]): Promise<void> {
    if (await this.reservations.statusOf(tx, tenantId, orderId)) return;
    const merged = mergeLines(lines);
    const stock = await this.reservations.lockStock(tx, tenantId, merged.map((line) => line.sku));
    const plan = planReservation(merged, stock);
    if (plan.kind === 'failed') {
      await this.reservations.insert(tx, tenantId, orderId, 'failed', merged, plan.reason);
      await emit({ type: inventoryReservationFailedV1.type, aggregateId: orderId, data: { orderId, reason: plan.reason, skus: [...plan.skus] } });
      tx.afterCommit(() => this.metrics.reservations.inc({ result: plan.reason }));
      return;
    }
    await this.reservations.move(tx, tenantId, plan.lines, -1, +1);
    await this.reservations.insert(tx, tenantId, orderId, 'reserved', plan.lines);
    await emit({ type: inventoryReservedV1.type, aggregateId: orderId, data: { orderId, items: plan.lines } });
    for (const low of plan.lowStock) {
      await emit({ type: inventoryStockLowV1.type, aggregateId: low.sku, data: { sku: low.sku, available: low.available, threshold: low.threshold } });
    }
    const units = unitsOf(plan.lines);
    tx.afterCommit(() => {
      this.metrics.reservations.inc({ result: 'reserved' });
      this.metrics.units.inc({ movement: 'reserved' }, units);
      if (plan.lowStock.length > 0) this.metrics.stockLow.inc(plan.lowStock.length);
    });
  }

  /** `order.confirmed`: the reserved units leave stock for good. */
  async commit(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string): Promise<void> {
    const lines = await this.take(tx, tenantId, orderId, 'committed');
    if (!lines) {
      const decision = confirmWithoutReservation(orderId, await this.reservations.statusOf(tx, tenantId, orderId));
      if (decision.kind === 'refused') throw new PermanentError(decision.reason);
      return;
    }
    await this.reservations.move(tx, tenantId, lines, 0, -1);
    await emit({ type: inventoryCommittedV1.type, aggregateId: orderId, data: { orderId, items: lines } });
    tx.afterCommit(() => this.metrics.units.inc({ movement: 'committed' }, unitsOf(lines)));
  }

  /**
   * `order.cancelled`: reserved units go back to available. An order never reserved is remembered
   * as cancelled, so that its `order.created`, if redriven from the DLQ later, reserves nothing.
   */
  async release(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string): Promise<void> {
    const lines = await this.take(tx, tenantId, orderId, 'released');
    if (!lines) {
      await this.reservations.insertCancelled(tx, tenantId, orderId);
      return;
    }
    await this.reservations.move(tx, tenantId, lines, +1, -1);
    await emit({ type: inventoryReleasedV1.type, aggregateId: orderId, data: { orderId, items: lines } });
    tx.afterCommit(() => this.metrics.units.inc({ movement: 'released' }, unitsOf(lines)));
  }

  /** Move a `reserved` reservation to `next` and lock its products; its lines, or undefined when it was not reserved. */
  private async take(tx: Transaction, tenantId: string, orderId: string, next: 'committed' | 'released'): Promise<StockLine[] | undefined> {
    const items = await this.reservations.transition(tx, tenantId, orderId, next);
    if (!items) return undefined;
    const lines = mergeLines(items);
    await this.reservations.lockProducts(tx, tenantId, lines);
    return lines;
  }
}
