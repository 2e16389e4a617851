import { Inject, Injectable } from '@nestjs/common';
import type { Database, Queryable } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import type { NotificationFilter } from '../../domain/notification-access.js';
import { type NewNotification, type NotificationRow, NotificationStore } from '../../application/ports.js';

/** SQL of the `notifications` table. Writes take the handler's transaction; reads use the database. */
@Injectable()
export class NotificationRepository implements NotificationStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Record a notification. Returns false when the fact it is about was already notified (same
   * tenant, template and order, or same source event): nothing is written then.
   */
  async insert(tx: Queryable, n: NewNotification): Promise<boolean> {
    const { rowCount } = await tx.query(
      `INSERT INTO notifications (id, tenant_id, template, channel, recipient, order_id, customer_id, message, source_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING`,
      [n.id, n.tenantId, n.template, n.channel, n.recipient, n.orderId ?? null, n.customerId ?? null, n.message, n.sourceEventId],
    );
    return rowCount === 1;
  }

  /**
   * The tenant's notifications about one order or one customer, newest first; with `onlyCustomerId`
   * only those addressed to that customer (what a customer token may read).
   */
  async list(tenantId: string, filter: NotificationFilter, limit: number, onlyCustomerId?: string): Promise<NotificationRow[]> {
    const [column, value] = 'orderId' in filter ? ['order_id', filter.orderId] : ['customer_id', filter.customerId];
    const { rows } = await this.db.query<{ channel: string; template: string; recipient: string; order_id: string | null; created_at: Date | string }>(
      `SELECT channel, template, recipient, order_id, created_at FROM notifications
       WHERE tenant_id = $1 AND ${column} = $2 AND ($4::text IS NULL OR customer_id = $4)
       ORDER BY created_at DESC, id DESC
       LIMIT $3`,
      [tenantId, value, limit, onlyCustomerId ?? null],
    );
    return rows.map((row) => ({
      channel: row.channel,
      template: row.template,
      recipient: row.recipient,
      orderId: row.order_id,
      createdAt: new Date(row.created_at),
    }));
  }
}
