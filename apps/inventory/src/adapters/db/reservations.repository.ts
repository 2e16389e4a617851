import { Injectable } from '@nestjs/common';
import type { Transaction } from '@platform/events';
import type { ReservationStatus, StockLevel, StockLine } from '../../domain/reservation.js';
import type { ReservationsStore } from '../../application/ports.js';

/**
 * The `reservations` table and the stock they move in `products`. Product rows are always locked
 * in SKU order: a multi-row UPDATE locks in scan order, and two transactions locking the same
 * products in different orders would deadlock.
 */
@Injectable()
export class ReservationsRepository implements ReservationsStore {
  async statusOf(tx: Transaction, tenantId: string, orderId: string): Promise<ReservationStatus | undefined> {
    const { rows } = await tx.query<{ status: ReservationStatus }>('SELECT status FROM reservations WHERE tenant_id = $1 AND order_id = $2', [tenantId, orderId]);
    return rows[0]?.status;
  }

  /** The stock of `skus` (those that exist), locked in SKU order until `tx` ends. */
  async lockStock(tx: Transaction, tenantId: string, skus: readonly string[]): Promise<Map<string, StockLevel>> {
    const { rows } = await tx.query<{ sku: string; available: number; reserved: number; low_stock_threshold: number }>(
      'SELECT sku, available, reserved, low_stock_threshold FROM products WHERE tenant_id = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE',
      [tenantId, skus],
    );
    return new Map(rows.map((r) => [r.sku, { sku: r.sku, available: r.available, reserved: r.reserved, lowStockThreshold: r.low_stock_threshold }]));
  }

  /** Lock the lines' product rows in SKU order, as `lockStock` does, before `move` updates them. */
  async lockProducts(tx: Transaction, tenantId: string, lines: readonly StockLine[]): Promise<void> {
    await tx.query('SELECT sku FROM products WHERE tenant_id = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE', [tenantId, lines.map((line) => line.sku)]);
  }

  /** Add `availableSign × quantity` to available and `reservedSign × quantity` to reserved, per line. */
  async move(tx: Transaction, tenantId: string, lines: readonly StockLine[], availableSign: -1 | 0 | 1, reservedSign: -1 | 1): Promise<void> {
    await tx.query(
      `UPDATE products p SET available = p.available + $4 * l.quantity, reserved = p.reserved + $5 * l.quantity, updated_at = now()
       FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)
       WHERE p.tenant_id = $1 AND p.sku = l.sku`,
      [tenantId, lines.map((line) => line.sku), lines.map((line) => line.quantity), availableSign, reservedSign],
    );
  }

  async insert(tx: Transaction, tenantId: string, orderId: string, status: ReservationStatus, lines: readonly StockLine[], reason?: string): Promise<void> {
    await tx.query('INSERT INTO reservations (tenant_id, order_id, status, items, reason) VALUES ($1, $2, $3, $4::jsonb, $5)', [
      tenantId,
      orderId,
      status,
      JSON.stringify(lines),
      reason ?? null,
    ]);
  }

  /** Remember an order cancelled before any reservation (nothing if it has one meanwhile). */
  async insertCancelled(tx: Transaction, tenantId: string, orderId: string): Promise<void> {
    await tx.query(
      `INSERT INTO reservations (tenant_id, order_id, status, items) VALUES ($1, $2, 'cancelled', '[]'::jsonb) ON CONFLICT (tenant_id, order_id) DO NOTHING`,
      [tenantId, orderId],
    );
  }

  /** Move a `reserved` reservation to `next`, returning its lines as stored; undefined when it is not reserved. */
  async transition(tx: Transaction, tenantId: string, orderId: string, next: ReservationStatus): Promise<StockLine[] | undefined> {
    const { rows } = await tx.query<{ items: StockLine[] }>(
      `UPDATE reservations SET status = $3, updated_at = now() WHERE tenant_id = $1 AND order_id = $2 AND status = 'reserved' RETURNING items`,
      [tenantId, orderId, next],
    );
    return rows[0]?.items;
  }
}
