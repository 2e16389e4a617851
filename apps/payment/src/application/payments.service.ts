import { Injectable } from '@nestjs/common';
import { type EmitEvent, newEventId, PermanentError, type Transaction } from '@platform/events';
import { paymentAuthorizedV1, paymentCapturedV1, paymentDeclinedV1, paymentRefundedV1, paymentVoidedV1 } from '@platform/contracts';
import { authorizedStatus, idempotencyKey, onOrderCancelled, onOrderConfirmed, type Payment, type Settlement, shouldAuthorize } from '../domain/payment-lifecycle.js';
import { PaymentMetrics } from './payment.metrics.js';
import { PaymentGateway, type PaymentFilter, PaymentsStore } from './ports.js';

export interface OrderToPay {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentToken: string;
}

/** The event each settlement emits. */
const SETTLED_EVENT: Record<Settlement['operation'], string> = { capture: paymentCapturedV1.type, void: paymentVoidedV1.type, refund: paymentRefundedV1.type };

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
    private readonly payments: PaymentsStore,
    private readonly gateway: PaymentGateway,
    private readonly metrics: PaymentMetrics,
  ) {}

  list(tenantId: string, filter: PaymentFilter): Promise<Payment[]> {
    return this.payments.list(tenantId, filter);
  }

  /** `order.created`: authorize the order total, unless the order already has a payment (or was cancelled first). */
  async authorize(tx: Transaction, emit: EmitEvent, tenantId: string, order: OrderToPay): Promise<void> {
    if (!shouldAuthorize(await this.payments.findForUpdate(tx, tenantId, order.orderId))) return;
    const result = await this.gateway.authorize({ idempotencyKey: idempotencyKey(tenantId, order.orderId, 'authorize'), token: order.paymentToken, amountCents: order.amountCents, currency: order.currency });
    const paymentId = newEventId();
    const base = { paymentId, orderId: order.orderId, amountCents: order.amountCents, currency: order.currency };
    const status = authorizedStatus(result.approved);
    if (result.approved) {
      await this.payments.insert(tx, tenantId, { ...base, status, gatewayReference: result.reference });
      await emit({ type: paymentAuthorizedV1.type, aggregateId: paymentId, data: base });
    } else {
      await this.payments.insert(tx, tenantId, { ...base, status, declineReason: result.reason });
      await emit({ type: paymentDeclinedV1.type, aggregateId: paymentId, data: { ...base, reason: result.reason } });
    }
    tx.afterCommit(() => this.metrics.payments.inc({ outcome: status }));
  }

  /** `order.confirmed`: capture the authorization. */
  async capture(tx: Transaction, emit: EmitEvent, tenantId: string, orderId: string): Promise<void> {
    const decision = onOrderConfirmed(orderId, await this.payments.findForUpdate(tx, tenantId, orderId));
    if (decision.kind === 'refused') throw new PermanentError(decision.reason);
    if (decision.kind === 'settle') await this.settle(tx, emit, tenantId, decision.payment, decision.settlement);
  }

  /** `order.cancelled`: void an authorization, refund a capture, or record the order as cancelled. */
  async cancel(tx: Transaction, emit: EmitEvent, tenantId: string, order: Omit<OrderToPay, 'paymentToken'>): Promise<void> {
    const decision = onOrderCancelled(await this.payments.findForUpdate(tx, tenantId, order.orderId));
    if (decision.kind === 'record-cancelled') {
      await this.payments.insert(tx, tenantId, { paymentId: newEventId(), orderId: order.orderId, amountCents: order.amountCents, currency: order.currency, status: 'cancelled' });
    } else if (decision.kind === 'settle') {
      await this.settle(tx, emit, tenantId, decision.payment, decision.settlement);
    }
  }

  private async settle(tx: Transaction, emit: EmitEvent, tenantId: string, payment: Payment, { operation, status }: Settlement): Promise<void> {
    const { paymentId, orderId, amountCents, currency } = payment;
    await this.gateway[operation]({ idempotencyKey: idempotencyKey(tenantId, orderId, operation), reference: payment.gatewayReference ?? '', amountCents });
    await this.payments.setStatus(tx, paymentId, status);
    await emit({ type: SETTLED_EVENT[operation], aggregateId: paymentId, data: { paymentId, orderId, amountCents, currency } });
    tx.afterCommit(() => this.metrics.payments.inc({ outcome: status }));
  }
}
