import type { EventEnvelope } from '../envelope/envelope.js';
import type { EventContract } from './define-event.js';

/**
 * Converts the payload of one version of an event into the next version (`v1` → `v2`), so that
 * a consumer written against the new version can read events that old producers still publish.
 * Upcasters are pure functions of the event: no I/O, no clock, no randomness; a field the old
 * version does not carry stays absent (it is optional in the new version) or gets a documented
 * default.
 */
export interface Upcaster<From extends object = object, To extends object = object> {
  readonly from: EventContract<From>;
  readonly to: EventContract<To>;
  /** Maps a payload already valid against `from`; the envelope is read-only context. */
  upcast(data: From, envelope: EventEnvelope<From>): To;
}

/**
 * Declare an upcaster between consecutive versions of one event. Throws a `TypeError` when the
 * contracts are not versions N and N+1 of the same event.
 */
export function defineUpcaster<From extends object, To extends object>(upcaster: Upcaster<From, To>): Upcaster<From, To> {
  const { from, to } = upcaster;
  if (from.unversioned !== to.unversioned || to.version !== from.version + 1) {
    throw new TypeError(`an upcaster goes from version N to N+1 of one event, not ${from.type} → ${to.type}`);
  }
  return Object.freeze({ ...upcaster });
}
