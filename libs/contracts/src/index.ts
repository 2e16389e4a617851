/**
 * @platform/contracts — the reference platform's events: one class-validator payload class and
 * one `defineEvent` contract per file, grouped by producing domain; the catalogue, its examples
 * and upcasters; the platform's subject domains; and the one list of its services, streams and
 * durable consumers (its topology). It depends on the generic `@platform/events` only for the
 * language contracts are declared in.
 */

// Contracts, one file per event
export * from './order/order-created.v1.js';
export * from './order/order-created.v2.js';
export * from './order/order-created.v1-to-v2.upcaster.js';
export * from './order/order-created.v3.js';
export * from './order/order-created.v2-to-v3.upcaster.js';
export * from './order/order-confirmed.v1.js';
export * from './order/order-cancelled.v1.js';
export * from './payment/payment-authorized.v1.js';
export * from './payment/payment-declined.v1.js';
export * from './payment/payment-captured.v1.js';
export * from './payment/payment-voided.v1.js';
export * from './payment/payment-refunded.v1.js';
export * from './inventory/inventory-reserved.v1.js';
export * from './inventory/inventory-reservation-failed.v1.js';
export * from './inventory/inventory-committed.v1.js';
export * from './inventory/inventory-released.v1.js';
export * from './inventory/inventory-stock-low.v1.js';
export * from './inventory/inventory-product-updated.v1.js';
export * from './loyalty/loyalty-points-awarded.v1.js';
export * from './notification/notification-sent.v1.js';

// The platform's kinds of value
export {
  IsCurrencyCode,
  IsCustomerId,
  IsEntityId,
  IsMinorUnits,
  IsPaymentToken,
  IsSealedPaymentToken,
  IsSku,
  PAYMENT_TOKEN_PATTERN,
  SEALED_PAYMENT_TOKEN_PATTERN,
  SKU_PATTERN,
} from './fields.js';

// The catalogue
export { createPlatformRegistry, platformContracts, platformUpcasters, type PlatformEventType, type PlatformPayload } from './catalogue.js';
export { platformExamplePayloads } from './examples.js';
export { definePlatformEvent, domainOf, subjectFor, SubjectDomain, type Producer } from './subjects.js';

// Services, streams and consumers
export { PLATFORM_REPLAY_STREAMS, PlatformService, PlatformStream } from './services.js';
export {
  eventFilter,
  parseStreamReplicas,
  platformTopology,
  TOPOLOGY_DEFAULTS,
  type ConsumerOverride,
  type PlatformTopologyOptions,
  type StreamOverride,
} from './topology.js';
