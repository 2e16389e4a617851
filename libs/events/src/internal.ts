/**
 * @platform/events/internal — pieces of the library that its own tools, the operator library and
 * differential specs need, and a service does not. No stability promise: they change with the
 * library.
 */
export { compileFastSchema, PayloadValidator } from './contracts/payload.validator.js';
export { payloadClassSchema, payloadSchema } from './contracts/json-schema.js';
export { CLASS_VALIDATOR_ONLY } from './contracts/json-schema.types.js';
export { CLOUDEVENTS_JSON_MEDIA_TYPE, TRACEPARENT_SCHEMA } from './contracts/envelope.json-schema.js';
