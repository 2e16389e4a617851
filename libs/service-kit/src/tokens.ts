/** Injection token of the service's `Database` (from `@platform/events`). */
export const DATABASE = Symbol('DATABASE');
/** Injection token of the service's `EventsRuntime` (from `@platform/events`). */
export const EVENTS_RUNTIME = Symbol('EVENTS_RUNTIME');
/** Injection token of the service's frozen config (a `BaseServiceConfig` subclass instance). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** Injection token of the app instance's prom-client `Registry`. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** Injection token of the service's name (`order`, `payment`, ...). */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
