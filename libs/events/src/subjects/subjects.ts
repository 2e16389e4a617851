import { TENANT_ID_PATTERN } from '../envelope/envelope.js';

/**
 * The subject grammar, in one place: `<domain>.<tenant>.<event>`, e.g. `orders.demo.created`.
 * The tenant is a token so that filters and permissions can be per tenant; the version of an
 * event is not in the subject (it is in the CloudEvents `type`), so v1 and v2 of one event share
 * a subject and a consumer sees both.
 *
 * An event type is `<producer>.<event-name>.v<N>` (`order.created.v1`, `inventory.stock-low.v1`).
 * Each producer publishes into exactly one subject domain (its contracts declare it, see
 * `defineEvent`), which is also its stream's subject prefix. Which producers and domains exist
 * is the application's catalogue, not this library's.
 */

/** Subject prefix of the dead-letter stream: `dlq.<consumer>.<original subject>`. */
export const DLQ_SUBJECT_PREFIX = 'dlq';

const EVENT_TYPE_PATTERN = /^([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.v([1-9][0-9]*)$/;
const TOKEN_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export interface ParsedEventType {
  readonly producer: string;
  readonly name: string;
  readonly version: number;
  /** The type without its version, e.g. `order.created`. */
  readonly unversioned: string;
}

/** Split a versioned event type (`order.created.v1`); throws on anything else. */
export function parseEventType(type: string): ParsedEventType {
  const match = EVENT_TYPE_PATTERN.exec(type);
  if (!match) {
    throw new TypeError(`event type "${type}" is not of the form <producer>.<event-name>.v<N>`);
  }
  const [, producer, name, version] = match as unknown as [string, string, string, string];
  return { producer, name, version: Number(version), unversioned: `${producer}.${name}` };
}

/** The subject of an event of `name` in `domain` for `tenant`: (`orders`, `created`, `demo`) → `orders.demo.created`. */
export function eventSubject(domain: string, name: string, tenant: string): string {
  assertTenant(tenant);
  return `${domain}.${tenant}.${name}`;
}

/** Whether `token` is one subject token of the grammar (a domain, a consumer name). */
export function isSubjectToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** Filter for every event of a domain across tenants (`orders.*.>` style, 2.9: one per consumer). */
export function domainFilter(domain: string, tenant = '*', event = '*'): string {
  return `${domain}.${tenant}.${event}`;
}

/** The tenant token of a platform subject (`orders.demo.created` → `demo`). */
export function tenantOfSubject(subject: string): string | undefined {
  const tokens = subject.split('.');
  return tokens.length === 3 ? tokens[1] : undefined;
}

/** `dlq.<consumer>.<original subject>`: one filterable DLQ subject per consumer and tenant. */
export function dlqSubject(consumer: string, originalSubject: string): string {
  if (!TOKEN_PATTERN.test(consumer)) throw new TypeError(`consumer name "${consumer}" is not a subject token`);
  return `${DLQ_SUBJECT_PREFIX}.${consumer}.${originalSubject}`;
}

export function assertTenant(tenant: string): void {
  if (!TENANT_ID_PATTERN.test(tenant)) {
    throw new TypeError(`tenant "${tenant}" does not match ${TENANT_ID_PATTERN}`);
  }
}
