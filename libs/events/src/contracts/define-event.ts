import { isSubjectToken, parseEventType } from '../subjects/subjects.js';

/** A payload class: class-validator-decorated fields and a no-argument constructor. */
export type PayloadClass<Payload extends object = object> = new () => Payload;

/**
 * An event contract: the versioned wire type, the class-validator payload class and the
 * metadata the registry, the docs and the AsyncAPI generator need. Create one per file with
 * {@link defineEvent}; never construct the wire type from a class name.
 */
export interface EventContract<Payload extends object = object, Type extends string = string> {
  /** Versioned wire type, the CloudEvents `type`: `<producer>.<event-name>.v<N>`. */
  readonly type: Type;
  readonly payload: PayloadClass<Payload>;
  /** One sentence: the fact, in the past tense, and who reacts to it. */
  readonly description: string;
  /** The aggregate the event is about (`order`, `payment`, `product`, …). */
  readonly aggregate: string;
  /**
   * The payload field that holds the aggregate id, used as the CloudEvents `subject` (and so
   * as the unit of per-aggregate ordering).
   */
  readonly subjectField: string;
  /** The producing service, first token of the type (`order`). */
  readonly producer: string;
  /** The event name, second token of the type (`created`, `stock-low`). */
  readonly name: string;
  readonly version: number;
  /** The type without its version (`order.created`), shared by every version of the event. */
  readonly unversioned: string;
  /** The subject domain and stream prefix the producer publishes into (`orders`). */
  readonly domain: string;
}

/** The payload type of a contract: what `data` holds on the wire. */
export type PayloadOf<Contract> = Contract extends EventContract<infer Payload> ? Payload : never;

export interface EventDefinition<Payload extends object, Type extends string> {
  readonly type: Type;
  readonly payload: PayloadClass<Payload>;
  readonly description: string;
  readonly aggregate: string;
  readonly subjectField: keyof Payload & string;
  /**
   * The subject domain the producer publishes into (`orders` for the `order` producer), also its
   * stream's subject prefix. Every contract of one producer names the same domain (the registry
   * refuses two).
   */
  readonly domain: string;
}

/**
 * Declare an event contract. Throws a `TypeError` at module load when the type does not follow
 * `<producer>.<event-name>.v<N>` or the domain is not a subject token.
 *
 * @example
 * export const orderCreatedV1 = defineEvent({
 *   type: 'order.created.v1', payload: OrderCreatedV1, aggregate: 'order', subjectField: 'orderId',
 *   domain: 'orders', description: 'An order was accepted and is pending payment and stock.',
 * });
 */
export function defineEvent<Payload extends object, Type extends string>(
  definition: EventDefinition<Payload, Type>,
): EventContract<Payload, Type> {
  const { producer, name, version, unversioned } = parseEventType(definition.type);
  if (typeof definition.payload !== 'function') {
    throw new TypeError(`contract ${definition.type}: payload must be a class`);
  }
  if (!definition.description.trim()) throw new TypeError(`contract ${definition.type}: description is empty`);
  if (!isSubjectToken(definition.domain)) throw new TypeError(`contract ${definition.type}: domain "${definition.domain}" is not a subject token`);
  return Object.freeze({
    type: definition.type,
    payload: definition.payload,
    description: definition.description,
    aggregate: definition.aggregate,
    subjectField: definition.subjectField,
    producer,
    name,
    version,
    unversioned,
    domain: definition.domain,
  });
}
