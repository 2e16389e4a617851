import { defineEvent, type EventContract, type EventDefinition, eventSubject, parseEventType } from '@platform/events';

/**
 * The platform's producers and the subject domain each publishes into (also its stream's
 * subject prefix): `order.created.v1` is published on `orders.<tenant>.created`.
 */
export const SubjectDomain = {
  order: 'orders',
  payment: 'payments',
  inventory: 'inventory',
  loyalty: 'loyalty',
  notification: 'notifications',
} as const;
export type Producer = keyof typeof SubjectDomain;
export type SubjectDomain = (typeof SubjectDomain)[Producer];

/** The subject domain a platform producer publishes into; throws a `TypeError` for any other producer. */
export function domainOf(producer: string): SubjectDomain {
  const domain = (SubjectDomain as Record<string, SubjectDomain>)[producer];
  if (!domain) throw new TypeError(`no subject domain is declared for producer "${producer}"`);
  return domain;
}

/** `order.created.v1` + `demo` → `orders.demo.created`. */
export function subjectFor(type: string, tenant: string): string {
  const { producer, name } = parseEventType(type);
  return eventSubject(domainOf(producer), name, tenant);
}

/** {@link defineEvent} for a platform producer: the domain is its entry of {@link SubjectDomain}. */
export function definePlatformEvent<Payload extends object, Type extends string>(definition: Omit<EventDefinition<Payload, Type>, 'domain'>): EventContract<Payload, Type> {
  return defineEvent({ ...definition, domain: domainOf(parseEventType(definition.type).producer) });
}
