import type { PlatformEventType, PlatformPayload } from './catalogue.js';

const ORDER_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
const PAYMENT_ID = '01890a5d-ad10-7a3c-9c4e-5d2f0b6e1a42';
const NOTIFICATION_ID = '01890a5d-ae22-7f01-8b6a-0c3d4e5f6a7b';

/**
 * One valid payload per platform event type, for tests, docs and fixtures. Every example
 * passes its contract (a unit spec checks it); the order-flow examples describe one order.
 */
export const platformExamplePayloads: { readonly [Type in PlatformEventType]: PlatformPayload<Type> } = {
  'order.created.v1': {
    orderId: ORDER_ID,
    customerId: 'c-1',
    items: [
      { sku: 'SKU-001', quantity: 2, unitPriceCents: 1999 },
      { sku: 'SKU-002', quantity: 1, unitPriceCents: 500 },
    ],
    totalCents: 4498,
    currency: 'EUR',
    paymentToken: 'tok_visa',
    deadlineAt: '2026-01-31T12:01:00.000Z',
  },
  'order.created.v2': {
    orderId: ORDER_ID,
    customer: { id: 'c-1', tier: 'gold' },
    items: [
      { sku: 'SKU-001', quantity: 2, unitPriceCents: 1999 },
      { sku: 'SKU-002', quantity: 1, unitPriceCents: 500 },
    ],
    total: { amountCents: 4498, currency: 'EUR' },
    paymentToken: 'tok_visa',
    deadlineAt: '2026-01-31T12:01:00.000Z',
  },
  'order.created.v3': {
    orderId: ORDER_ID,
    customer: { id: 'c-1', tier: 'gold' },
    items: [
      { sku: 'SKU-001', quantity: 2, unitPriceCents: 1999 },
      { sku: 'SKU-002', quantity: 1, unitPriceCents: 500 },
    ],
    total: { amountCents: 4498, currency: 'EUR' },
    // tok_visa sealed under a throwaway key for tenant demo and this order (opens with no real key)
    paymentTokenSealed: 'pt1.k1.T5-vHJIzA3bjJBZu__MgQHAOjIWfIHCtSc4fxhskCaMyPaLd',
    deadlineAt: '2026-01-31T12:01:00.000Z',
  },
  'order.confirmed.v1': { orderId: ORDER_ID, customerId: 'c-1', totalCents: 4498, currency: 'EUR' },
  'order.cancelled.v1': {
    orderId: ORDER_ID,
    customerId: 'c-1',
    reason: 'payment_declined',
    totalCents: 4498,
    currency: 'EUR',
    items: [
      { sku: 'SKU-001', quantity: 2 },
      { sku: 'SKU-002', quantity: 1 },
    ],
  },
  'payment.authorized.v1': { paymentId: PAYMENT_ID, orderId: ORDER_ID, amountCents: 4498, currency: 'EUR' },
  'payment.declined.v1': { paymentId: PAYMENT_ID, orderId: ORDER_ID, amountCents: 4498, currency: 'EUR', reason: 'card_declined' },
  'payment.captured.v1': { paymentId: PAYMENT_ID, orderId: ORDER_ID, amountCents: 4498, currency: 'EUR' },
  'payment.voided.v1': { paymentId: PAYMENT_ID, orderId: ORDER_ID, amountCents: 4498, currency: 'EUR' },
  'payment.refunded.v1': { paymentId: PAYMENT_ID, orderId: ORDER_ID, amountCents: 4498, currency: 'EUR' },
  'inventory.reserved.v1': {
    orderId: ORDER_ID,
    items: [
      { sku: 'SKU-001', quantity: 2 },
      { sku: 'SKU-002', quantity: 1 },
    ],
  },
  'inventory.reservation-failed.v1': { orderId: ORDER_ID, reason: 'out_of_stock', skus: ['SKU-002'] },
  'inventory.committed.v1': {
    orderId: ORDER_ID,
    items: [
      { sku: 'SKU-001', quantity: 2 },
      { sku: 'SKU-002', quantity: 1 },
    ],
  },
  'inventory.released.v1': {
    orderId: ORDER_ID,
    items: [
      { sku: 'SKU-001', quantity: 2 },
      { sku: 'SKU-002', quantity: 1 },
    ],
  },
  'inventory.stock-low.v1': { sku: 'SKU-001', available: 3, threshold: 5 },
  'inventory.product-updated.v1': { sku: 'SKU-001', name: 'Espresso beans 1 kg', priceCents: 1999, currency: 'EUR', available: 120 },
  'loyalty.points-awarded.v1': { customerId: 'c-1', orderId: ORDER_ID, points: 44, balance: 144 },
  'notification.sent.v1': {
    notificationId: NOTIFICATION_ID,
    channel: 'email',
    template: 'order-confirmed',
    recipient: 'c-1@example.com',
    orderId: ORDER_ID,
  },
};
