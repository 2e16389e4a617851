import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import type { EventEnvelope } from '../envelope/envelope.js';
import { InvalidEventError, PermanentError, UnknownEventTypeError } from '../errors.js';
import { eventSubject, parseEventType } from '../subjects/subjects.js';
import type { EventContract } from './define-event.js';
import { PayloadValidator } from './payload.validator.js';
import type { Upcaster } from './upcaster.js';

/**
 * The contracts a service knows, and the upcasters between their versions. The publisher
 * validates what it sends and the consumer what it receives through the same registry.
 *
 * Register everything at start-up, then only read: lookups and validation are synchronous and
 * cache their work per type.
 */
export class EventRegistry {
  private readonly contracts = new Map<string, EventContract>();
  private readonly validators = new Map<string, PayloadValidator>();
  /** Unversioned type → contracts by ascending version. */
  private readonly versions = new Map<string, EventContract[]>();
  /** `from` type → upcaster to the next version. */
  private readonly upcasters = new Map<string, Upcaster>();
  /** Producer → the one subject domain its contracts publish into. */
  private readonly domains = new Map<string, string>();

  /**
   * Add contracts. Throws a `TypeError` when a type is already registered with another
   * contract, when a payload class has no validation metadata for its `subjectField`
   * (a contract whose subject could be missing), or when a producer's contracts name two
   * subject domains.
   */
  register(...contracts: readonly EventContract[]): this {
    for (const contract of contracts) {
      const existing = this.contracts.get(contract.type);
      if (existing === contract) continue;
      if (existing) throw new TypeError(`event type ${contract.type} is already registered with another contract`);
      parseEventType(contract.type);
      const metadata = getMetadataStorage().getTargetValidationMetadatas(contract.payload, '', true, false);
      if (!metadata.some((meta) => meta.propertyName === contract.subjectField)) {
        throw new TypeError(`contract ${contract.type}: subjectField "${contract.subjectField}" is not a validated payload field`);
      }
      const domain = this.domains.get(contract.producer);
      if (domain !== undefined && domain !== contract.domain) {
        throw new TypeError(`contract ${contract.type}: producer "${contract.producer}" publishes into "${domain}", not "${contract.domain}"`);
      }
      this.domains.set(contract.producer, contract.domain);
      const versions = this.versions.get(contract.unversioned) ?? [];
      this.contracts.set(contract.type, contract);
      this.validators.set(contract.type, new PayloadValidator(contract.payload));
      versions.push(contract);
      versions.sort((a, b) => a.version - b.version);
      this.versions.set(contract.unversioned, versions);
    }
    return this;
  }

  /**
   * Add upcasters (version N → N+1 of one event). Both contracts must be registered first
   * (the same objects); one upcaster per source version. Throws a `TypeError` otherwise.
   */
  registerUpcaster(...upcasters: readonly Upcaster[]): this {
    for (const upcaster of upcasters) {
      const { from, to } = upcaster;
      if (this.contracts.get(from.type) !== from || this.contracts.get(to.type) !== to) {
        throw new TypeError(`register ${from.type} and ${to.type} before the upcaster between them`);
      }
      if (from.unversioned !== to.unversioned || to.version !== from.version + 1) {
        throw new TypeError(`an upcaster goes from version N to N+1 of one event, not ${from.type} → ${to.type}`);
      }
      const existing = this.upcasters.get(from.type);
      if (existing && existing !== upcaster) throw new TypeError(`an upcaster from ${from.type} is already registered`);
      this.upcasters.set(from.type, upcaster);
    }
    return this;
  }

  has(type: string): boolean {
    return this.contracts.has(type);
  }

  /** The contract of a versioned type; throws {@link UnknownEventTypeError}. */
  get(type: string): EventContract {
    const contract = this.contracts.get(type);
    if (!contract) throw new UnknownEventTypeError(type);
    return contract;
  }

  /**
   * The subject an event of `type` for `tenant` is published on, `<domain>.<tenant>.<event>`
   * (`order.created.v1`, `demo` → `orders.demo.created`). Throws {@link UnknownEventTypeError},
   * or a `TypeError` for a tenant that is not a subject token.
   */
  subjectOf(type: string, tenant: string): string {
    const contract = this.get(type);
    return eventSubject(contract.domain, contract.name, tenant);
  }

  /** The contract of a versioned type, or `undefined`. */
  find(type: string): EventContract | undefined {
    return this.contracts.get(type);
  }

  /** The highest registered version of an event (`order.created` → `order.created.v2`); throws {@link UnknownEventTypeError}. */
  latest(unversioned: string): EventContract {
    const versions = this.versions.get(unversioned);
    const latest = versions?.[versions.length - 1];
    if (!latest) throw new UnknownEventTypeError(unversioned);
    return latest;
  }

  /** Every registered version of an event, ascending; empty when unknown. */
  versionsOf(unversioned: string): readonly EventContract[] {
    return this.versions.get(unversioned) ?? [];
  }

  /** Every contract, sorted by type. */
  list(): readonly EventContract[] {
    return [...this.contracts.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** Every upcaster, sorted by source type. */
  listUpcasters(): readonly Upcaster[] {
    return [...this.upcasters.values()].sort((a, b) => (a.from.type < b.from.type ? -1 : 1));
  }

  /**
   * Validate `data` against the contract of `type` with class-validator semantics
   * (`plainToInstance` without implicit conversion, then `validateSync` with `whitelist` and
   * `forbidNonWhitelisted`). Synchronous. Valid payloads take a compiled fast path (see
   * {@link PayloadValidator}); it runs on every publish and consume.
   *
   * @returns `data` itself, the plain object, typed as the payload — not a class instance and
   *   not a copy: a valid payload has no unknown property to strip, so it already is exactly
   *   the contract.
   * @throws {UnknownEventTypeError} when no contract declares `type`.
   * @throws {InvalidEventError} listing every issue with its dotted path (`items.0.quantity`);
   *   `(root)` when `data` is not a JSON object.
   */
  validate<Payload extends object = object>(type: string, data: unknown): Payload {
    const validator = this.validators.get(type);
    if (!validator) throw new UnknownEventTypeError(type);
    const issues = validator.validate(data);
    if (issues.length > 0) throw new InvalidEventError(type, issues);
    return data as Payload;
  }

  /**
   * Rewrite an envelope to a later version of its event by running the upcasters in turn
   * (v1 → v2 → v3). Every attribute but `type` and `data` is kept: it is the same fact, with
   * the same id, sequence and correlation. The result is not validated; validate it with
   * {@link validate} if the upcasters are not trusted.
   *
   * @param targetType default: the latest registered version of the event.
   * @returns the envelope itself when it already has the target type.
   * @throws {UnknownEventTypeError} when the envelope's or the target type is not registered.
   * @throws {PermanentError} when the target is another event or an earlier version, when an
   *   upcaster in the chain is missing, or when an upcaster throws (as `cause`).
   */
  upcast(envelope: EventEnvelope, targetType?: string): EventEnvelope {
    const source = this.get(envelope.type);
    const target = targetType === undefined ? this.latest(source.unversioned) : this.get(targetType);
    if (target === source) return envelope;
    if (target.unversioned !== source.unversioned || target.version < source.version) {
      throw new PermanentError(`cannot upcast ${source.type} to ${target.type}: upcasting only moves to a later version of the same event`);
    }
    let current = envelope;
    while (current.type !== target.type) {
      const upcaster = this.upcasters.get(current.type);
      if (!upcaster) throw new PermanentError(`cannot upcast ${source.type} to ${target.type}: no upcaster from ${current.type}`);
      let data: object;
      try {
        data = upcaster.upcast(current.data as object, current as EventEnvelope<object>);
      } catch (error) {
        throw new PermanentError(`upcaster ${upcaster.from.type} → ${upcaster.to.type} failed on event ${envelope.id}`, { cause: error });
      }
      current = { ...current, type: upcaster.to.type, data };
    }
    return current;
  }
}
