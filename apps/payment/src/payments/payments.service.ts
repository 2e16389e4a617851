import { Inject, Injectable } from '@nestjs/common';
import { type Database, type EmitEvent, newEventId, PermanentError, type Transaction } from '@platform/events';
import { paymentAuthorizedV1, paymentCapturedV1, paymentDeclinedV1, paymentRefundedV1, paymentVoidedV1 } from '@platform/contracts';
import { DATABASE } from '@platform/service-kit';
import { GatewayCircuit } from '../gateway/gateway-circuit.js';
import { PAYMENT_GATEWAY, type AuthorizeResult, type PaymentGateway } from '../gateway/payment-gateway.js';
import { PaymentMetrics } from '../payment.metrics.js';


export type PaymentStatus = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded' | 'cancelled';

export interface PaymentView {
  readonly paymentId: string;
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
  readonly currency: string;
  readonly declineReason?: string;
}

interface PaymentRow {
  payment_id: string;
  order_id: string;
  status: PaymentStatus;
  amount_cents: string | number;
  currency: string;
  decline_reason: string | null;
  gateway_reference: string | null;
}

export interface OrderToPay {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentToken: string;
}

/**
 * One payment per order (unique per tenant and order). Every gateway call carries an idempotency
 * key derived from tenant, order and operation, so a redelivered event — even one whose
 * transaction was lost after the gateway answered — never charges twice.
 *
 * The gateway is called inside the message's transaction on purpose: the payment row, its outbox
 * event and the inbox record commit together once the gateway answered, and the idempotency key
 * makes a repeated call safe. The price is a transaction open for the gateway's answer (bounded by
 * its timeout and the circuit breaker); see docs/services.md, payment.
 */
@Injectable()
export class PaymentsService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly circuit: GatewayCircuit,
    private readonly metrics: PaymentMetrics,
  ) {}

  async list(tenantId: string, filter: { orderId?: string; limit: number }): Promise<PaymentView[]> {
    const { rows } = await this.db.query<PaymentRow>(
      `SELECT payment_id, order_id, status, amount_cents, currency, decline_reason, gateway_reference FROM payments
       WHERE tenant_id = $1 AND ($2::text IS NULL OR order_id = $2) ORDER BY created_at DESC, payment_id DESC LIMIT $3`,
      [tenantId, filter.orderId ?? null, filter.limit],
    );
    return rows.map(toView);
  }

  /** `order.created`: authorize the order total, unless the order already has a payment (or was cancelled first). */
  async authorize(tx: Transaction, emit: EmitEvent, tenantId: string, order: OrderToPay): Promise<void> {
    if (await this.find(tx, tenantId, order.orderId)) return;
    const result = await this.circuit.call(
      'authorize',
      () => this.gateway.authorize({ idempotencyKey: `${tenantId}:${order.orderId}:authorize`, token: order.paymentToken, amountCents: order.amountCents, currency: order.currency }),
      (answer: AuthorizeResult) => (answer.approved ? 'ok' : 'declined'),
    );
    const paymentId = newEventId();
    const base = { paymentId, orderId: order.orderId, amountCents: order.amountCents, currency: order.currency };
    if (result.approved) {
      await this.insert(tx, tenantId, { ...base, status: 'authorized', reference: result.reference });
      await emit({ type: paymentAuthorizedV1.type, aggregateId: paymentId, data: base });
    } else {
      await this.insert(tx, tenantId, { ...base, status: 'declined', declineReason: result.reason });
      await emit({ type: paymentDeclinedV1.type, aggregateId: paymentId, data: { ...base, reason: result.reason } });
    }
    tx.afterCommit(() => this.metrics.payments.inc({ outcome: result.approved ? 'authorized' : 'declined' }));
  }

  /** `order.confirmed`: capture the authorization. */
  async capture(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string): Promise<void> {
    const payment = await this.find(tx, tenantId, orderId);
    if (payment?.status === 'captured') return;
    if (payment?.status !== 'authorized') {
      throw new PermanentError(`order ${orderId} was confirmed but its payment is ${payment?.status ?? 'missing'}`);
    }
    await this.settle(tx, emit, tenantId, payment, 'capture', 'captured', paymentCapturedV1.type);
  }

  /**
   * `order.cancelled`: void an authorization, refund a capture. An order with no payment yet is
   * recorded as `cancelled`, so that its `order.created`, if redriven from the DLQ later, does not
   * authorize anything.
   */
  async cancel(tx: Transaction, emit: EmitEvent, tenantId: string, order: Omit<OrderToPay, 'paymentToken'>): Promise<void> {
    const payment = await this.find(tx, tenantId, order.orderId);
    if (!payment) {
      await this.insert(tx, tenantId, { paymentId: newEventId(), orderId: order.orderId, amountCents: order.amountCents, currency: order.currency, status: 'cancelled' });
      return;
    }
    if (payment.status === 'authorized') await this.settle(tx, emit, tenantId, payment, 'void', 'voided', paymentVoidedV1.type);
    else if (payment.status === 'captured') await this.settle(tx, emit, tenantId, payment, 'refund', 'refunded', paymentRefundedV1.type);
  }

  private async settle(
    tx: Transaction,
    emit: EmitEvent,
    tenantId: string,
    payment: PaymentRow,
    operation: 'capture' | 'void' | 'refund',
    status: PaymentStatus,
    type: string,
  ): Promise<void> {
    const amountCents = Number(payment.amount_cents);
    await this.circuit.call(operation, () =>
      this.gateway[operation]({ idempotencyKey: `${tenantId}:${payment.order_id}:${operation}`, reference: payment.gateway_reference ?? '', amountCents }),
    );
    await tx.query('UPDATE payments SET status = $2, updated_at = now() WHERE payment_id = $1', [payment.payment_id, status]);
    await emit({ type, aggregateId: payment.payment_id, data: { paymentId: payment.payment_id, orderId: payment.order_id, amountCents, currency: payment.currency } });
    tx.afterCommit(() => this.metrics.payments.inc({ outcome: status }));
  }

  private async find(tx: Transaction, tenantId: string, orderId: string): Promise<PaymentRow | undefined> {
    const { rows } = await tx.query<PaymentRow>(
      'SELECT payment_id, order_id, status, amount_cents, currency, decline_reason, gateway_reference FROM payments WHERE tenant_id = $1 AND order_id = $2 FOR UPDATE',
      [tenantId, orderId],
    );
    return rows[0];
  }

  private async insert(
    tx: Transaction,
    tenantId: string,
    payment: { paymentId: string; orderId: string; amountCents: number; currency: string; status: PaymentStatus; declineReason?: string; reference?: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO payments (payment_id, tenant_id, order_id, status, amount_cents, currency, decline_reason, gateway_reference)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [payment.paymentId, tenantId, payment.orderId, payment.status, payment.amountCents, payment.currency, payment.declineReason ?? null, payment.reference ?? null],
    );
  }
}

function toView(row: PaymentRow): PaymentView {
  return {
    paymentId: row.payment_id,
    orderId: row.order_id,
    status: row.status,
    amountCents: Number(row.amount_cents),
    currency: row.currency,
    ...(row.decline_reason ? { declineReason: row.decline_reason } : {}),
  };
}
