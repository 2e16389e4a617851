import { Inject, Injectable } from '@nestjs/common';
import type { Database, Transaction } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import type { Payment, PaymentStatus } from '../../domain/payment-lifecycle.js';
import type { PaymentFilter, PaymentsStore } from '../../application/ports.js';

interface PaymentRow {
  payment_id: string;
  order_id: string;
  status: PaymentStatus;
  amount_cents: string | number;
  currency: string;
  decline_reason: string | null;
  gateway_reference: string | null;
}

const COLUMNS = 'payment_id, order_id, status, amount_cents, currency, decline_reason, gateway_reference';

/** The `payments` table (adapters/db/payment.schema.ts). */
@Injectable()
export class PaymentsRepository implements PaymentsStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The tenant's payments, newest first; `orderId` narrows to one order's. */
  async list(tenantId: string, filter: PaymentFilter): Promise<Payment[]> {
    const { rows } = await this.db.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments
       WHERE tenant_id = $1 AND ($2::text IS NULL OR order_id = $2) ORDER BY created_at DESC, payment_id DESC LIMIT $3`,
      [tenantId, filter.orderId ?? null, filter.limit],
    );
    return rows.map(toPayment);
  }

  /** The order's payment, locked until `tx` ends: concurrent deliveries for one order serialise here. */
  async findForUpdate(tx: Transaction, tenantId: string, orderId: string): Promise<Payment | undefined> {
    const { rows } = await tx.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE tenant_id = $1 AND order_id = $2 FOR UPDATE`, [tenantId, orderId]);
    return rows[0] && toPayment(rows[0]);
  }

  async insert(tx: Transaction, tenantId: string, payment: Payment): Promise<void> {
    await tx.query(
      `INSERT INTO payments (payment_id, tenant_id, order_id, status, amount_cents, currency, decline_reason, gateway_reference)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [payment.paymentId, tenantId, payment.orderId, payment.status, payment.amountCents, payment.currency, payment.declineReason ?? null, payment.gatewayReference ?? null],
    );
  }

  async setStatus(tx: Transaction, paymentId: string, status: PaymentStatus): Promise<void> {
    await tx.query('UPDATE payments SET status = $2, updated_at = now() WHERE payment_id = $1', [paymentId, status]);
  }
}

function toPayment(row: PaymentRow): Payment {
  return {
    paymentId: row.payment_id,
    orderId: row.order_id,
    status: row.status,
    amountCents: Number(row.amount_cents),
    currency: row.currency,
    ...(row.decline_reason ? { declineReason: row.decline_reason } : {}),
    ...(row.gateway_reference ? { gatewayReference: row.gateway_reference } : {}),
  };
}
