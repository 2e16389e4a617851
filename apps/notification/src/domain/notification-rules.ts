import {
  type InventoryStockLowV1,
  type NotificationChannel as ChannelKind,
  type NotificationSentV1,
  OrderCancellationReason,
  type OrderCancelledV1,
  type OrderConfirmedV1,
} from '@platform/contracts';

/** The templates this service sends (the `template` of `notification.sent.v1`). */
export const NotificationTemplate = {
  orderConfirmed: 'order-confirmed',
  orderCancelled: 'order-cancelled',
  stockLow: 'stock-low',
} as const;
export type NotificationTemplate = (typeof NotificationTemplate)[keyof typeof NotificationTemplate];

/** What to send, to whom and how: decided from an event, before anything is stored or sent. */
export interface NotificationPlan {
  readonly template: NotificationTemplate;
  readonly channel: ChannelKind;
  readonly recipient: string;
  /** The order it is about (customer notifications only). */
  readonly orderId?: string;
  /** The customer it is for (customer notifications only). */
  readonly customerId?: string;
  /** The rendered text. */
  readonly message: string;
  /** Why an order was cancelled (order-cancelled only), for the log. */
  readonly reason?: OrderCancellationReason;
}

/** Customers are addressed by id; the email address book lives outside this service. */
export function customerRecipient(customerId: string): string {
  return `customer:${customerId}`;
}

const REASON_TEXT: Record<OrderCancellationReason, string> = {
  [OrderCancellationReason.paymentDeclined]: 'the payment was declined',
  [OrderCancellationReason.outOfStock]: 'an item is out of stock',
  [OrderCancellationReason.unknownSku]: 'an item is not in the catalogue',
  [OrderCancellationReason.timeout]: 'it could not be completed in time',
};

/** `12345` EUR → `123.45 EUR`; the number of decimals follows the currency (JPY has none). */
const fractionDigits = new Map<string, number>();

/** Minor-unit digits of a currency (2 for USD, 0 for JPY); cached, as building a formatter is costly. */
function fractionDigitsOf(currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      // An unknown code keeps two decimals; the contract already checked its shape.
      digits = 2;
    }
    fractionDigits.set(currency, digits);
  }
  return digits;
}

export function formatAmount(minorUnits: number, currency: string): string {
  const digits = fractionDigitsOf(currency);
  if (digits === 0) return `${minorUnits} ${currency}`;
  const scale = 10 ** digits;
  const fraction = String(minorUnits % scale).padStart(digits, '0');
  return `${Math.floor(minorUnits / scale)}.${fraction} ${currency}`;
}

/** `order.confirmed.v1` → the customer's `order-confirmed` email. */
export function orderConfirmedNotification(order: OrderConfirmedV1): NotificationPlan {
  return {
    template: NotificationTemplate.orderConfirmed,
    channel: 'email',
    recipient: customerRecipient(order.customerId),
    orderId: order.orderId,
    customerId: order.customerId,
    message: `Your order ${order.orderId} is confirmed. Total: ${formatAmount(order.totalCents, order.currency)}.`,
  };
}

/** `order.cancelled.v1` → the customer's `order-cancelled` email, with the reason. */
export function orderCancelledNotification(order: OrderCancelledV1): NotificationPlan {
  const why = REASON_TEXT[order.reason] ?? order.reason;
  return {
    template: NotificationTemplate.orderCancelled,
    channel: 'email',
    recipient: customerRecipient(order.customerId),
    orderId: order.orderId,
    customerId: order.customerId,
    message: `Your order ${order.orderId} was cancelled because ${why} (reason: ${order.reason}).`,
    reason: order.reason,
  };
}

/** `inventory.stock-low.v1` → an operations alert on the webhook channel; no order, no customer. */
export function stockLowAlert(stock: InventoryStockLowV1, opsRecipient: string): NotificationPlan {
  return {
    template: NotificationTemplate.stockLow,
    channel: 'webhook',
    recipient: opsRecipient,
    message: `Stock low for ${stock.sku}: ${stock.available} available (threshold ${stock.threshold}).`,
  };
}

/** What `notification.sent.v1` says about a sent plan; an operations alert has no `orderId`. */
export function notificationSent(notificationId: string, plan: NotificationPlan): NotificationSentV1 {
  const data: NotificationSentV1 = { notificationId, channel: plan.channel, template: plan.template, recipient: plan.recipient };
  if (plan.orderId !== undefined) data.orderId = plan.orderId;
  return data;
}
