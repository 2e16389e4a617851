import { Inject, Injectable } from '@nestjs/common';
import type { Database, Queryable } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import { type AwardRow, HISTORY_LIMIT, LoyaltyStore, type NewAward } from '../../application/ports.js';

/** SQL of the loyalty tables. Writes take the handler's transaction; reads use the database. */
@Injectable()
export class LoyaltyRepository implements LoyaltyStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Record the award of an order and add its points to the customer's balance. Returns the new
   * balance, or `null` when the order already has an award (nothing changed).
   */
  async award(tx: Queryable, award: NewAward): Promise<number | null> {
    const inserted = await tx.query(
      `INSERT INTO loyalty_awards (tenant_id, order_id, customer_id, points, total_cents, currency, event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, order_id) DO NOTHING`,
      [award.tenantId, award.orderId, award.customerId, award.points, award.totalCents, award.currency, award.eventId],
    );
    if (inserted.rowCount === 0) return null;
    const { rows } = await tx.query<{ points: number }>(
      `INSERT INTO loyalty_accounts (tenant_id, customer_id, points) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, customer_id)
       DO UPDATE SET points = loyalty_accounts.points + EXCLUDED.points, updated_at = now()
       RETURNING points`,
      [award.tenantId, award.customerId, award.points],
    );
    return Number(rows[0]!.points);
  }

  /** The customer's balance (0 when they have no account). */
  async balance(tenantId: string, customerId: string): Promise<number> {
    const { rows } = await this.db.query<{ points: number }>('SELECT points FROM loyalty_accounts WHERE tenant_id = $1 AND customer_id = $2', [
      tenantId,
      customerId,
    ]);
    return rows[0] ? Number(rows[0].points) : 0;
  }

  /** The customer's awards, newest first, at most `HISTORY_LIMIT`. */
  async history(tenantId: string, customerId: string): Promise<AwardRow[]> {
    const { rows } = await this.db.query<{ order_id: string; points: number; awarded_at: Date | string }>(
      `SELECT order_id, points, awarded_at FROM loyalty_awards
       WHERE tenant_id = $1 AND customer_id = $2
       ORDER BY awarded_at DESC, order_id DESC
       LIMIT $3`,
      [tenantId, customerId, HISTORY_LIMIT],
    );
    return rows.map((row) => ({ orderId: row.order_id, points: Number(row.points), awardedAt: new Date(row.awarded_at) }));
  }
}
