import { describe, expect, it } from 'vitest';
import { decide, OrderStatus, type OrderProgress } from './order-flow.js';

const pending: OrderProgress = { status: OrderStatus.Pending, paymentState: 'pending', stockState: 'pending' };

describe('decide', () => {
  it('confirms only when both the payment is authorized and the stock reserved, in either order', () => {
    const afterPayment = decide(pending, { kind: 'payment-authorized' });
    expect(afterPayment.outcome).toBeUndefined();
    expect(decide(afterPayment.next, { kind: 'stock-reserved' })).toEqual({
      next: { status: 'CONFIRMED', paymentState: 'authorized', stockState: 'reserved' },
      outcome: 'confirmed',
    });
    const afterStock = decide(pending, { kind: 'stock-reserved' });
    expect(afterStock.outcome).toBeUndefined();
    expect(decide(afterStock.next, { kind: 'payment-authorized' }).outcome).toBe('confirmed');
  });

  it('cancels on a decline, a failed reservation or the deadline, with the reason', () => {
    expect(decide(pending, { kind: 'payment-declined' }).next).toMatchObject({ status: 'CANCELLED', cancellationReason: 'payment_declined' });
    expect(decide(pending, { kind: 'stock-failed', reason: 'out_of_stock' }).next).toMatchObject({ status: 'CANCELLED', cancellationReason: 'out_of_stock' });
    expect(decide(pending, { kind: 'stock-failed', reason: 'unknown_sku' }).next).toMatchObject({ cancellationReason: 'unknown_sku' });
    const reserved = decide(pending, { kind: 'stock-reserved' }).next;
    expect(decide(reserved, { kind: 'deadline-passed' })).toMatchObject({ next: { status: 'CANCELLED', cancellationReason: 'timeout' }, outcome: 'cancelled' });
  });

  it('never moves a terminal order again', () => {
    const cancelled = decide(pending, { kind: 'payment-declined' }).next;
    expect(decide(cancelled, { kind: 'stock-reserved' })).toEqual({ next: cancelled });
    expect(decide(cancelled, { kind: 'deadline-passed' })).toEqual({ next: cancelled });
    const confirmed = decide(decide(pending, { kind: 'payment-authorized' }).next, { kind: 'stock-reserved' }).next;
    expect(decide(confirmed, { kind: 'deadline-passed' })).toEqual({ next: confirmed });
    expect(decide(confirmed, { kind: 'payment-declined' })).toEqual({ next: confirmed });
  });
});
