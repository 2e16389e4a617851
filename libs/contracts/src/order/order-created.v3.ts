import { Describe, IsTimestamp, NestedArray, NestedObject, Optional } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsEntityId, IsSealedPaymentToken } from '../fields.js';
import { OrderCreatedV2Customer, OrderCreatedV2Item, OrderCreatedV2Money } from './order-created.v2.js';

/**
 * Version 3 of `order.created`. Breaking change from v2: the card token no longer travels in
 * clear. Every consumer of ORDERS and every DLQ reader sees event bodies, so the order service
 * seals the token for the payment service only (AES-256-GCM under a key that only order and
 * payment hold, with the tenant and order id authenticated, so a sealed token cannot be moved onto
 * another order) and `paymentToken` became `paymentTokenSealed`. Customer, items, total and
 * deadline are unchanged from v2. `orderCreatedV2ToV3` upcasts v2 events and drops their clear
 * token (docs/services.md, "The payment token").
 */
export class OrderCreatedV3 {
  @Describe('Order id (UUIDv7)')
  @IsEntityId()
  orderId!: string;

  @NestedObject(() => OrderCreatedV2Customer)
  customer!: OrderCreatedV2Customer;

  @Describe('1–50 lines')
  @NestedArray(() => OrderCreatedV2Item, 1, 50)
  items!: OrderCreatedV2Item[];

  @Describe('Sum of quantity × unitPriceCents over the items')
  @NestedObject(() => OrderCreatedV2Money)
  total!: OrderCreatedV2Money;

  @Describe(
    'The card token sealed for the payment service only: pt1.<key id>.<base64url of IV, AES-256-GCM ciphertext and tag>, the tenant and order id authenticated. ' +
      'The order service always sets it; it is absent only on events upcast from v1/v2, whose clear token the upcaster drops.',
  )
  @Optional()
  @IsSealedPaymentToken()
  paymentTokenSealed?: string;

  @Describe('When the order is cancelled with reason "timeout" if still pending (RFC 3339)')
  @Optional()
  @IsTimestamp()
  deadlineAt?: string;
}

export const orderCreatedV3 = definePlatformEvent({
  type: 'order.created.v3',
  payload: OrderCreatedV3,
  aggregate: 'order',
  subjectField: 'orderId',
  description:
    'An order was accepted as PENDING (v3: the card token is sealed for the payment service, never in clear); same reactions as v2.',
});
