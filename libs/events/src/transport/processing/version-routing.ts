import { DeadLetterReason } from '../../dlq/dead-letter.js';
import type { EventEnvelope } from '../../envelope/envelope.js';
import { InvalidEventError, PermanentError, UnknownEventTypeError } from '../../errors.js';
import { parseEventType } from '../../subjects/subjects.js';
import { Rejection, type BatchEventHandler, type ConsumerEventRegistry, type EventHandler } from './types.js';

/** Where the events of one incoming type go: the handler's version and its handler. */
export interface Route {
  /** The versioned type the handler takes: the incoming one, or a later version to upcast to. */
  readonly type: string;
  /** Set when the version has a handler; else `batchHandler` is (a type has one or the other). */
  readonly handler: EventHandler | undefined;
  readonly batchHandler: BatchEventHandler | undefined;
}

/** Cached for a type only older versions of which are handled (`route` answers `undefined`). */
const UNSUPPORTED = Symbol('unsupported version');

/** Routes are cached per incoming type; types come from the registry, this bounds them anyway. */
const MAX_CACHED_ROUTES = 1024;

/**
 * Which handler version takes an event, and the envelope upcast to it. The route of a type is
 * worked out once (a hot path): per message it is one lookup, then the payload's validation.
 */
export class VersionRouter {
  /** unversioned type → handler versions, ascending. */
  private readonly versionsByName = new Map<string, number[]>();
  private readonly routes = new Map<string, Route | null | typeof UNSUPPORTED>();

  constructor(
    private readonly registry: ConsumerEventRegistry,
    private readonly handlers: ReadonlyMap<string, EventHandler>,
    private readonly batchHandlers: ReadonlyMap<string, BatchEventHandler>,
  ) {
    for (const type of [...handlers.keys(), ...batchHandlers.keys()]) {
      const { unversioned, version } = parseEventType(type);
      const versions = this.versionsByName.get(unversioned) ?? [];
      if (!versions.includes(version)) versions.push(version);
      versions.sort((a, b) => a - b);
      this.versionsByName.set(unversioned, versions);
    }
  }

  /** Whether the registry has a contract for `type` (else the event is dead-lettered: {@link unknownType}). */
  isKnown(type: string): boolean {
    return this.registry.has(type);
  }

  /**
   * The route of a known type: to itself, or to the lowest later version with a handler. `null`
   * when no version of the event is handled here (ignored), `undefined` when only older versions
   * are (the producer is ahead of this consumer: dead-letter, redrive after upgrading).
   */
  route(type: string): Route | null | undefined {
    let route = this.routes.get(type);
    if (route === undefined) {
      route = this.resolve(type);
      if (this.routes.size < MAX_CACHED_ROUTES) this.routes.set(type, route);
    }
    return route === UNSUPPORTED ? undefined : route;
  }

  /**
   * Validate the payload and upcast the envelope to the route's version (validated again there);
   * the rejection when it is invalid (`invalid_payload`) or cannot be upcast (`permanent_error`).
   */
  toHandlerVersion(envelope: EventEnvelope, route: Route): EventEnvelope | Rejection {
    const { registry } = this;
    try {
      registry.validate(envelope.type, envelope.data);
      const handled = route.type === envelope.type ? envelope : registry.upcast(envelope, route.type);
      if (handled !== envelope) registry.validate(handled.type, handled.data);
      return handled;
    } catch (error) {
      return new Rejection(error instanceof InvalidEventError ? DeadLetterReason.InvalidPayload : DeadLetterReason.PermanentError, error);
    }
  }

  private resolve(type: string): Route | null | typeof UNSUPPORTED {
    if (this.handlers.has(type) || this.batchHandlers.has(type)) return this.routeTo(type);
    const { unversioned, version } = parseEventType(type);
    const versions = this.versionsByName.get(unversioned);
    if (!versions) return null;
    const later = versions.find((v) => v > version);
    return later === undefined ? UNSUPPORTED : this.routeTo(`${unversioned}.v${later}`);
  }

  private routeTo(type: string): Route {
    const handler = this.handlers.get(type);
    return { type, handler, batchHandler: handler ? undefined : this.batchHandlers.get(type) };
  }
}

/** The rejection of an event the registry has no contract for. */
export function unknownType(envelope: EventEnvelope): Rejection {
  return new Rejection(DeadLetterReason.UnknownType, new UnknownEventTypeError(envelope.type));
}

/** The rejection of an event newer than every handler version (see {@link VersionRouter.route}). */
export function unsupportedVersion(envelope: EventEnvelope): Rejection {
  return new Rejection(DeadLetterReason.UnsupportedVersion, new PermanentError(`no handler for ${envelope.type} or a later version of it`));
}
