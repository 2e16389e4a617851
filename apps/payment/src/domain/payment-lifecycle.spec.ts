import { describe, expect, it } from 'vitest';
import { authorizedStatus, idempotencyKey, onOrderCancelled, onOrderConfirmed, type Payment, type PaymentStatus, shouldAuthorize } from './payment-lifecycle.js';

const payment = (status: PaymentStatus): Payment => ({ paymentId: 'p-1', orderId: 'o-1', status, amountCents: 1500, currency: 'USD' });
const ALL: PaymentStatus[] = ['authorized', 'declined', 'captured', 'voided', 'refunded', 'cancelled'];

describe('idempotencyKey', () => {
  it('is tenant, order and operation: one key per operation on one order', () => {
    expect(idempotencyKey('acme', 'o-1', 'authorize')).toBe('acme:o-1:authorize');
    expect(idempotencyKey('acme', 'o-1', 'refund')).not.toBe(idempotencyKey('acme', 'o-1', 'void'));
  });
});

describe('shouldAuthorize', () => {
  it('authorizes an order without a payment', () => {
    expect(shouldAuthorize(undefined)).toBe(true);
  });

  it('authorizes nothing once the order has a payment of any status', () => {
    expect(ALL.filter((status) => shouldAuthorize(payment(status)))).toEqual([]);
  });

  it('records the gateway answer as authorized or declined', () => {
    expect([authorizedStatus(true), authorizedStatus(false)]).toEqual(['authorized', 'declined']);
  });
});

describe('onOrderConfirmed', () => {
  it('captures an authorization', () => {
    expect(onOrderConfirmed('o-1', payment('authorized'))).toEqual({ kind: 'settle', payment: payment('authorized'), settlement: { operation: 'capture', status: 'captured' } });
  });

  it('does nothing for a payment already captured (a redelivery)', () => {
    expect(onOrderConfirmed('o-1', payment('captured'))).toEqual({ kind: 'done' });
  });

  it('refuses to capture anything but an authorization, naming what it found', () => {
    expect(onOrderConfirmed('o-1', undefined)).toEqual({ kind: 'refused', reason: 'order o-1 was confirmed but its payment is missing' });
    for (const status of ['declined', 'voided', 'refunded', 'cancelled'] as const) {
      expect(onOrderConfirmed('o-1', payment(status))).toEqual({ kind: 'refused', reason: `order o-1 was confirmed but its payment is ${status}` });
    }
  });
});

describe('onOrderCancelled', () => {
  it('voids an authorization and refunds a capture', () => {
    expect(onOrderCancelled(payment('authorized'))).toEqual({ kind: 'settle', payment: payment('authorized'), settlement: { operation: 'void', status: 'voided' } });
    expect(onOrderCancelled(payment('captured'))).toEqual({ kind: 'settle', payment: payment('captured'), settlement: { operation: 'refund', status: 'refunded' } });
  });

  it('records an order without a payment as cancelled, so that a later order.created authorizes nothing', () => {
    expect(onOrderCancelled(undefined)).toEqual({ kind: 'record-cancelled' });
    expect(shouldAuthorize(payment('cancelled'))).toBe(false);
  });

  it('leaves a declined, voided, refunded or cancelled payment as it is', () => {
    for (const status of ['declined', 'voided', 'refunded', 'cancelled'] as const) expect(onOrderCancelled(payment(status))).toEqual({ kind: 'done' });
  });
});
