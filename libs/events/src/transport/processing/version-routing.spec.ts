import { describe, expect, it } from 'vitest';
import { InvalidEventError, PermanentError, UnknownEventTypeError } from '../../errors.js';
import { orderEvent } from './stage.fixtures.js';
import { Rejection, type BatchEventHandler, type ConsumerEventRegistry, type EventHandler } from './types.js';
import { unknownType, unsupportedVersion, VersionRouter } from './version-routing.js';

const KNOWN = ['order.created.v1', 'order.created.v2', 'order.created.v3', 'order.confirmed.v1', 'order.cancelled.v1'];

/** Validates `{ n: number }`; upcasts by recording the path; cannot upcast to v3. */
const registry: ConsumerEventRegistry = {
  has: (type) => KNOWN.includes(type),
  validate: (type, data) => {
    if (typeof (data as { n?: unknown }).n !== 'number') throw new InvalidEventError(type, [{ property: 'n', messages: ['n must be a number'] }]);
    return data;
  },
  upcast: (envelope, target) => {
    if (target === 'order.created.v3') throw new PermanentError(`no upcaster to ${target}`);
    return { ...envelope, type: target, data: { n: 2, from: envelope.type } };
  },
  subjectOf: () => 'unused',
};

const handler: EventHandler = async () => undefined;
const batchHandler: BatchEventHandler = async () => undefined;

describe('VersionRouter', () => {
  const router = new VersionRouter(registry, new Map([['order.created.v2', handler]]), new Map([['order.confirmed.v1', batchHandler]]));

  it('routes a type to its own handler or batch handler', () => {
    expect(router.route('order.created.v2')).toEqual({ type: 'order.created.v2', handler, batchHandler: undefined });
    expect(router.route('order.confirmed.v1')).toEqual({ type: 'order.confirmed.v1', handler: undefined, batchHandler });
  });

  it('routes an older version to the lowest later version with a handler', () => {
    expect(router.route('order.created.v1')).toMatchObject({ type: 'order.created.v2', handler });
  });

  it('answers null for an event no version of which is handled here, undefined for one newer than every handler', () => {
    expect(router.route('order.cancelled.v1')).toBeNull();
    expect(router.route('order.created.v3')).toBeUndefined();
  });

  it('works a route out once per type', () => {
    expect(router.route('order.created.v1')).toBe(router.route('order.created.v1'));
  });

  it('validates the envelope and upcasts it to the route’s version', () => {
    const v1 = orderEvent({ type: 'order.created.v1' });
    const handled = router.toHandlerVersion(v1, router.route('order.created.v1')!);
    expect(handled).toMatchObject({ id: v1.id, type: 'order.created.v2', data: { n: 2, from: 'order.created.v1' } });
    const v2 = orderEvent({ type: 'order.created.v2' });
    expect(router.toHandlerVersion(v2, router.route('order.created.v2')!)).toBe(v2);
  });

  it('rejects an invalid payload as invalid_payload and a failed upcast as permanent_error', () => {
    const invalid = { ...orderEvent({ type: 'order.created.v2' }), data: { n: 'one' } };
    const rejected = router.toHandlerVersion(invalid, router.route('order.created.v2')!);
    expect(rejected).toBeInstanceOf(Rejection);
    expect(rejected).toMatchObject({ reason: 'invalid_payload', error: expect.any(InvalidEventError) });
    const toV3 = new VersionRouter(registry, new Map([['order.created.v3', handler]]), new Map());
    expect(toV3.toHandlerVersion(orderEvent({ type: 'order.created.v2' }), toV3.route('order.created.v2')!)).toMatchObject({ reason: 'permanent_error', error: expect.any(PermanentError) });
  });

  it('rejects an upcast result that is not valid at the handler’s version', () => {
    const lossy = new VersionRouter({ ...registry, upcast: (envelope, target) => ({ ...envelope, type: target, data: {} }) }, new Map([['order.created.v2', handler]]), new Map());
    expect(lossy.toHandlerVersion(orderEvent({ type: 'order.created.v1' }), lossy.route('order.created.v1')!)).toMatchObject({ reason: 'invalid_payload' });
  });

  it('names the rejections of an unknown type and of an unsupported version', () => {
    const event = orderEvent({ type: 'order.created.v3' });
    expect(router.isKnown('order.refunded.v1')).toBe(false);
    expect(unknownType({ ...event, type: 'order.refunded.v1' })).toMatchObject({ reason: 'unknown_type', error: expect.any(UnknownEventTypeError) });
    const unsupported = unsupportedVersion(event);
    expect(unsupported.reason).toBe('unsupported_version');
    expect((unsupported.error as Error).message).toBe('no handler for order.created.v3 or a later version of it');
  });
});
