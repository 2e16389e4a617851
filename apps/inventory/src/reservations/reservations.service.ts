import { Injectable } from '@nestjs/common';
import { inventoryCommittedV1, inventoryReleasedV1, inventoryReservationFailedV1, inventoryReservedV1, inventoryStockLowV1 } from '@platform/contracts';
import { type EmitEvent, PermanentError, type Transaction } from '@platform/events';
import { mergeLines, planReservation, type StockLevel, type StockLine } from '../domain/reservation.js';
import { InventoryMetrics } from '../inventory.metrics.js';


type ReservationStatus = 'reserved' | 'failed' | 'committed' | 'released' | 'cancelled';

/**
 * Reservations of order lines against stock. Every method runs in the transaction of the event
 * being handled; product rows are locked in SKU order, so concurrent orders racing for the last
 * units serialise on the rows and never oversell (and `available >= 0` is also a table constraint).
 */
@Injectable()
export class ReservationsService {
  constructor(private readonly metrics: InventoryMetrics) {}

  /** `order.created`: reserve every line or none. A reservation already recorded (or a cancellation seen first) wins. */
  async reserve(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string, lines: readonly StockLine[]): Promise<void> {
    if (await this.statusOf(tx, tenantId, orderId)) return;
    const merged = mergeLines(lines);
    const skus = merged.map((line) => line.sku);
    const { rows } = await tx.query<{ sku: string; available: number; reserved: number; low_stock_threshold: number }>(
      'SELECT sku, available, reserved, low_stock_threshold FROM products WHERE tenant_id = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE',
      [tenantId, skus],
    );
    const stock = new Map<string, StockLevel>(rows.map((r) => [r.sku, { sku: r.sku, available: r.available, reserved: r.reserved, lowStockThreshold: r.low_stock_threshold }]));
    const plan = planReservation(merged, stock);
    if (plan.kind === 'failed') {
      await this.insert(tx, tenantId, orderId, 'failed', merged, plan.reason);
      await emit({ type: inventoryReservationFailedV1.type, aggregateId: orderId, data: { orderId, reason: plan.reason, skus: [...plan.skus] } });
      tx.afterCommit(() => this.metrics.reservations.inc({ result: plan.reason }));
      return;
    }
    await this.move(tx, tenantId, plan.lines, -1, +1);
    await this.insert(tx, tenantId, orderId, 'reserved', plan.lines);
    await emit({ type: inventoryReservedV1.type, aggregateId: orderId, data: { orderId, items: plan.lines } });
    for (const low of plan.lowStock) {
      await emit({ type: inventoryStockLowV1.type, aggregateId: low.sku, data: { sku: low.sku, available: low.available, threshold: low.threshold } });
    }
    const units = plan.lines.reduce((sum, line) => sum + line.quantity, 0);
    tx.afterCommit(() => {
      this.metrics.reservations.inc({ result: 'reserved' });
      this.metrics.units.inc({ movement: 'reserved' }, units);
      if (plan.lowStock.length > 0) this.metrics.stockLow.inc(plan.lowStock.length);
    });
  }

  /** `order.confirmed`: the reserved units leave stock for good. */
  async commit(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string): Promise<void> {
    const lines = await this.transition(tx, tenantId, orderId, 'committed');
    if (!lines) {
      const status = await this.statusOf(tx, tenantId, orderId);
      if (status === 'committed') return;
      // A confirmed order always had its reservation: anything else is a bug upstream, for a human.
      throw new PermanentError(`order ${orderId} was confirmed but its reservation is ${status ?? 'missing'}`);
    }
    await this.lockProducts(tx, tenantId, lines);
    await this.move(tx, tenantId, lines, 0, -1);
    await emit({ type: inventoryCommittedV1.type, aggregateId: orderId, data: { orderId, items: lines } });
    tx.afterCommit(() => this.metrics.units.inc({ movement: 'committed' }, lines.reduce((sum, line) => sum + line.quantity, 0)));
  }

  /**
   * `order.cancelled`: reserved units go back to available. An order never reserved is remembered
   * as cancelled, so that its `order.created`, if redriven from the DLQ later, reserves nothing.
   */
  async release(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string): Promise<void> {
    const lines = await this.transition(tx, tenantId, orderId, 'released');
    if (!lines) {
      await tx.query(
        `INSERT INTO reservations (tenant_id, order_id, status, items) VALUES ($1, $2, 'cancelled', '[]'::jsonb) ON CONFLICT (tenant_id, order_id) DO NOTHING`,
        [tenantId, orderId],
      );
      return;
    }
    await this.lockProducts(tx, tenantId, lines);
    await this.move(tx, tenantId, lines, +1, -1);
    await emit({ type: inventoryReleasedV1.type, aggregateId: orderId, data: { orderId, items: lines } });
    tx.afterCommit(() => this.metrics.units.inc({ movement: 'released' }, lines.reduce((sum, line) => sum + line.quantity, 0)));
  }

  private async statusOf(tx: Transaction, tenantId: string, orderId: string): Promise<ReservationStatus | undefined> {
    const { rows } = await tx.query<{ status: ReservationStatus }>('SELECT status FROM reservations WHERE tenant_id = $1 AND order_id = $2', [tenantId, orderId]);
    return rows[0]?.status;
  }

  /** Move a `reserved` reservation to `next`, returning its lines; undefined when it is not reserved. */
  private async transition(tx: Transaction, tenantId: string, orderId: string, next: ReservationStatus): Promise<StockLine[] | undefined> {
    const { rows } = await tx.query<{ items: StockLine[] }>(
      `UPDATE reservations SET status = $3, updated_at = now() WHERE tenant_id = $1 AND order_id = $2 AND status = 'reserved' RETURNING items`,
      [tenantId, orderId, next],
    );
    return rows[0] ? mergeLines(rows[0].items) : undefined;
  }

  /**
   * Lock the lines' product rows in SKU order, as `reserve` does: a multi-row UPDATE locks in scan
   * order, and two transactions locking the same products in different orders would deadlock.
   */
  private async lockProducts(tx: Transaction, tenantId: string, lines: readonly StockLine[]): Promise<void> {
    await tx.query('SELECT sku FROM products WHERE tenant_id = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE', [tenantId, lines.map((line) => line.sku)]);
  }

  /** Add `availableSign × quantity` to available and `reservedSign × quantity` to reserved, per line. */
  private async move(tx: Transaction, tenantId: string, lines: readonly StockLine[], availableSign: -1 | 0 | 1, reservedSign: -1 | 1): Promise<void> {
    await tx.query(
      `UPDATE products p SET available = p.available + $4 * l.quantity, reserved = p.reserved + $5 * l.quantity, updated_at = now()
       FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)
       WHERE p.tenant_id = $1 AND p.sku = l.sku`,
      [tenantId, lines.map((line) => line.sku), lines.map((line) => line.quantity), availableSign, reservedSign],
    );
  }

  private async insert(tx: Transaction, tenantId: string, orderId: string, status: ReservationStatus, lines: readonly StockLine[], reason?: string): Promise<void> {
    await tx.query('INSERT INTO reservations (tenant_id, order_id, status, items, reason) VALUES ($1, $2, $3, $4::jsonb, $5)', [
      tenantId,
      orderId,
      status,
      JSON.stringify(lines),
      reason ?? null,
    ]);
  }
}
