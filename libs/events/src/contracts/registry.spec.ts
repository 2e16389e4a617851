import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../envelope/create-envelope.js';
import { PermanentError, UnknownEventTypeError } from '../errors.js';
import { IsInt, IsString, IsUUID, Min } from 'class-validator';
import { composeDecorators, Describe, IsQuantity } from './contract.decorators.js';
import { defineEvent } from './define-event.js';
import { EventRegistry } from './registry.js';
import { defineUpcaster } from './upcaster.js';

// A private event with three versions, so that chains and failures can be tested in isolation.
// The field kinds of the tested events (a catalogue composes its own, like @platform/contracts).
const IsEntityId = () => IsUUID('all');
const IsCustomerId = () => IsString();
const IsMinorUnits = () => composeDecorators(Min(0), IsInt());

class LoyaltyTestedV1 {
  @IsEntityId() orderId!: string;
  @IsQuantity(0) points!: number;
}
class LoyaltyTestedV2 {
  @IsEntityId() orderId!: string;
  @IsQuantity(0) points!: number;
  @IsCustomerId() customerId!: string;
}
class LoyaltyTestedV3 {
  @IsEntityId() orderId!: string;
  @Describe('points × 100') @IsMinorUnits() centiPoints!: number;
  @IsCustomerId() customerId!: string;
}
const tested = <Payload extends { orderId: string }, Type extends string>(type: Type, payload: new () => Payload) =>
  defineEvent({ type, payload, aggregate: 'order', subjectField: 'orderId', domain: 'loyalty', description: `A test event, ${type}.` });
const testedV1 = tested('loyalty.tested.v1', LoyaltyTestedV1);
const testedV2 = tested('loyalty.tested.v2', LoyaltyTestedV2);
const testedV3 = tested('loyalty.tested.v3', LoyaltyTestedV3);
const v1ToV2 = defineUpcaster({ from: testedV1, to: testedV2, upcast: (data) => ({ ...data, customerId: 'unknown' }) });
const v2ToV3 = defineUpcaster({
  from: testedV2,
  to: testedV3,
  upcast: (data) => ({ orderId: data.orderId, customerId: data.customerId, centiPoints: data.points * 100 }),
});

const ORDER_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
const envelopeV1 = createEnvelope({
  contract: testedV1,
  data: { orderId: ORDER_ID, points: 7 },
  source: 'loyalty',
  tenantId: 'demo',
  sequence: 3,
  correlationId: 'req-1',
});

function fullRegistry(): EventRegistry {
  return new EventRegistry().register(testedV1, testedV2, testedV3).registerUpcaster(v1ToV2, v2ToV3);
}

describe('EventRegistry lookups', () => {
  it('finds contracts by versioned type and the latest version by unversioned name', () => {
    const registry = fullRegistry();
    expect(registry.has('loyalty.tested.v2')).toBe(true);
    expect(registry.has('loyalty.tested.v4')).toBe(false);
    expect(registry.get('loyalty.tested.v1')).toBe(testedV1);
    expect(registry.find('loyalty.tested.v9')).toBeUndefined();
    expect(registry.latest('loyalty.tested')).toBe(testedV3);
    expect(registry.versionsOf('loyalty.tested')).toEqual([testedV1, testedV2, testedV3]);
    expect(registry.list().map((c) => c.type)).toEqual(['loyalty.tested.v1', 'loyalty.tested.v2', 'loyalty.tested.v3']);
  });

  it('orders versions numerically whatever the registration order', () => {
    const registry = new EventRegistry().register(testedV3, testedV1, testedV2);
    expect(registry.versionsOf('loyalty.tested').map((c) => c.version)).toEqual([1, 2, 3]);
    expect(registry.latest('loyalty.tested')).toBe(testedV3);
  });

  it('throws UnknownEventTypeError for unknown types', () => {
    const registry = fullRegistry();
    expect(() => registry.get('loyalty.tested.v4')).toThrow(UnknownEventTypeError);
    expect(() => registry.latest('loyalty.untested')).toThrow(UnknownEventTypeError);
    expect(() => registry.validate('nope', {})).toThrow(UnknownEventTypeError);
  });

});

describe('EventRegistry registration', () => {
  it('is idempotent for the same contract but refuses another contract under a taken type', () => {
    const registry = new EventRegistry().register(testedV1, testedV1);
    expect(registry.list()).toHaveLength(1);
    const impostor = defineEvent({ type: 'loyalty.tested.v1', payload: LoyaltyTestedV2, aggregate: 'order', subjectField: 'orderId', domain: 'loyalty', description: 'Another contract.' });
    expect(() => registry.register(impostor)).toThrow(/already registered/);
  });

  it('refuses a contract whose subject field has no validation', () => {
    const broken = defineEvent({ type: 'loyalty.broken.v1', payload: LoyaltyTestedV1, aggregate: 'x', subjectField: 'nothing' as 'orderId', domain: 'loyalty', description: 'A broken contract.' });
    expect(() => new EventRegistry().register(broken)).toThrow(/subjectField "nothing"/);
  });

  it('refuses upcasters whose contracts are not registered, or that skip a version', () => {
    expect(() => new EventRegistry().register(testedV1).registerUpcaster(v1ToV2)).toThrow(/before the upcaster/);
    expect(() => defineUpcaster({ from: testedV1, to: testedV3, upcast: () => ({ orderId: ORDER_ID, centiPoints: 0, customerId: 'c' }) })).toThrow(
      /N to N\+1/,
    );
    const other = defineUpcaster({ from: testedV1, to: testedV2, upcast: (data) => ({ ...data, customerId: 'x' }) });
    expect(() => fullRegistry().registerUpcaster(other)).toThrow(/already registered/);
  });

  it('refuses malformed types at definition', () => {
    expect(() =>
      defineEvent({ type: 'LoyaltyTested', payload: LoyaltyTestedV1, aggregate: 'x', subjectField: 'orderId', domain: 'loyalty', description: 'No version.' }),
    ).toThrow(TypeError);
    expect(() =>
      defineEvent({ type: 'loyalty.sent.v1', payload: LoyaltyTestedV1, aggregate: 'x', subjectField: 'orderId', domain: 'Loyalty.>', description: 'Bad domain.' }),
    ).toThrow(/not a subject token/);
  });

  it('refuses a producer whose contracts name two subject domains', () => {
    const elsewhere = defineEvent({ type: 'loyalty.moved.v1', payload: LoyaltyTestedV1, aggregate: 'order', subjectField: 'orderId', domain: 'rewards', description: 'Another domain.' });
    expect(() => new EventRegistry().register(testedV1, elsewhere)).toThrow(/publishes into "loyalty", not "rewards"/);
  });

  it('gives the subject of a registered type from its contract', () => {
    expect(fullRegistry().subjectOf('loyalty.tested.v2', 'acme')).toBe('loyalty.acme.tested');
    expect(() => fullRegistry().subjectOf('loyalty.unknown.v1', 'acme')).toThrow(/unknown/i);
  });
});

describe('EventRegistry.upcast', () => {
  it('walks the chain v1 → v2 → v3 and keeps every attribute but type and data', () => {
    const registry = fullRegistry();
    const v3 = registry.upcast(envelopeV1, 'loyalty.tested.v3');
    expect(v3.type).toBe('loyalty.tested.v3');
    expect(v3.data).toEqual({ orderId: ORDER_ID, customerId: 'unknown', centiPoints: 700 });
    const { type: _t1, data: _d1, ...before } = envelopeV1;
    const { type: _t3, data: _d3, ...after } = v3;
    expect(after).toEqual(before);
    expect(registry.validate('loyalty.tested.v3', v3.data)).toBe(v3.data);
    expect(envelopeV1.type).toBe('loyalty.tested.v1');
  });

  it('defaults to the latest version, and returns the envelope itself when it is already there', () => {
    const registry = fullRegistry();
    expect(registry.upcast(envelopeV1).type).toBe('loyalty.tested.v3');
    expect(registry.upcast(envelopeV1, 'loyalty.tested.v1')).toBe(envelopeV1);
    expect(registry.upcast(envelopeV1, 'loyalty.tested.v2').data).toEqual({ orderId: ORDER_ID, points: 7, customerId: 'unknown' });
  });

  it('refuses to downcast or to cross to another event', () => {
    const registry = fullRegistry().register(tested('loyalty.points-awarded.v1', LoyaltyTestedV1));
    const v2 = registry.upcast(envelopeV1, 'loyalty.tested.v2');
    expect(() => registry.upcast(v2, 'loyalty.tested.v1')).toThrow(PermanentError);
    expect(() => registry.upcast(v2, 'loyalty.points-awarded.v1')).toThrow(/later version of the same event/);
  });

  it('throws UnknownEventTypeError for an unknown source or target, and a PermanentError for a missing link', () => {
    const registry = new EventRegistry().register(testedV1, testedV2, testedV3).registerUpcaster(v1ToV2);
    expect(() => registry.upcast({ ...envelopeV1, type: 'loyalty.tested.v0' }, 'loyalty.tested.v2')).toThrow(UnknownEventTypeError);
    expect(() => registry.upcast(envelopeV1, 'loyalty.tested.v7')).toThrow(UnknownEventTypeError);
    expect(() => registry.upcast(envelopeV1, 'loyalty.tested.v3')).toThrow(/no upcaster from loyalty.tested.v2/);
  });

  it('wraps an upcaster failure in a PermanentError with the cause', () => {
    const failing = defineUpcaster({
      from: testedV1,
      to: testedV2,
      upcast: () => {
        throw new RangeError('boom');
      },
    });
    const registry = new EventRegistry().register(testedV1, testedV2).registerUpcaster(failing);
    try {
      registry.upcast(envelopeV1, 'loyalty.tested.v2');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toContain(envelopeV1.id);
      expect((error as Error).cause).toBeInstanceOf(RangeError);
    }
  });
});
