/**
 * @platform/events/internal — pieces of the library that its own tools, the operator library and
 * differential specs need, and a service does not. No stability promise: they change with the
 * library.
 */
export { compileFastSchema, PayloadValidator } from './contracts/payload.validator.js';
export { CLASS_VALIDATOR_ONLY, payloadClassSchema, payloadSchema } from './contracts/schema.js';
