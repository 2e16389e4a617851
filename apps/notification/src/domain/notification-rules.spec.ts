import { describe, expect, it } from 'vitest';
import { customerRecipient, formatAmount, notificationSent, orderCancelledNotification, orderConfirmedNotification, stockLowAlert } from './notification-rules.js';

const orderId = '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a';

describe('notification rules', () => {
  it('sends an order-confirmed email to the customer', () => {
    expect(orderConfirmedNotification({ orderId, customerId: 'c-1', totalCents: 12_345, currency: 'EUR' })).toEqual({
      template: 'order-confirmed',
      channel: 'email',
      recipient: 'customer:c-1',
      orderId,
      customerId: 'c-1',
      message: `Your order ${orderId} is confirmed. Total: 123.45 EUR.`,
    });
  });

  it('sends an order-cancelled email to the customer, with the reason', () => {
    const plan = orderCancelledNotification({ orderId, customerId: 'c-2', reason: 'payment_declined', totalCents: 500, currency: 'EUR' });
    expect(plan).toMatchObject({ template: 'order-cancelled', channel: 'email', recipient: 'customer:c-2', orderId, customerId: 'c-2', reason: 'payment_declined' });
    expect(plan.message).toContain('payment was declined');
    expect(plan.message).toContain('reason: payment_declined');
  });

  it.each(['payment_declined', 'out_of_stock', 'unknown_sku', 'timeout'] as const)('explains the cancellation reason %s', (reason) => {
    const plan = orderCancelledNotification({ orderId, customerId: 'c-2', reason, totalCents: 500, currency: 'EUR' });
    expect(plan.message).toMatch(new RegExp(`because .+ \\(reason: ${reason}\\)\\.$`));
  });

  it('alerts operations about low stock on the webhook channel, without an order or customer', () => {
    const plan = stockLowAlert({ sku: 'SKU-001', available: 3, threshold: 5 }, 'ops');
    expect(plan).toEqual({
      template: 'stock-low',
      channel: 'webhook',
      recipient: 'ops',
      message: 'Stock low for SKU-001: 3 available (threshold 5).',
    });
    expect(stockLowAlert({ sku: 'SKU-001', available: 0, threshold: 5 }, 'ops-oncall').recipient).toBe('ops-oncall');
  });

  it('addresses customers by id', () => {
    expect(customerRecipient('c-42')).toBe('customer:c-42');
  });

  it.each([
    [0, 'EUR', '0.00 EUR'],
    [5, 'EUR', '0.05 EUR'],
    [12_345, 'USD', '123.45 USD'],
    [1500, 'JPY', '1500 JPY'],
    [1234, 'KWD', '1.234 KWD'],
  ])('formats %i minor units of %s as %s', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  it('reports a sent customer notification with its order, and an operations alert without one', () => {
    expect(notificationSent('n-1', orderConfirmedNotification({ orderId, customerId: 'c-1', totalCents: 100, currency: 'EUR' }))).toEqual({
      notificationId: 'n-1',
      channel: 'email',
      template: 'order-confirmed',
      recipient: 'customer:c-1',
      orderId,
    });
    const alert = notificationSent('n-2', stockLowAlert({ sku: 'SKU-001', available: 3, threshold: 5 }, 'ops'));
    expect(alert).toEqual({ notificationId: 'n-2', channel: 'webhook', template: 'stock-low', recipient: 'ops' });
    expect(alert).not.toHaveProperty('orderId');
  });
});
