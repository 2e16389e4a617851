import { describe, expect, it } from 'vitest';
import { InvalidEventError, parseEventType, UnknownEventTypeError, type ValidationIssue } from '@platform/events';
import { createPlatformRegistry, platformContracts, type PlatformEventType, platformUpcasters } from './catalogue.js';
import { definePlatformEvent, subjectFor } from './subjects.js';
import { platformExamplePayloads } from './examples.js';
import { IsString } from 'class-validator';

const registry = createPlatformRegistry();

/** The issues of an invalid payload (fails the test when the payload is valid). */
function issuesOf(type: string, data: unknown): readonly ValidationIssue[] {
  try {
    registry.validate(type, data);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    expect(invalid.eventType).toBe(type);
    expect(invalid.retryable).toBe(false);
    return invalid.issues;
  }
  throw new Error(`expected ${type} to reject ${JSON.stringify(data)}`);
}

const paths = (issues: readonly ValidationIssue[]) => issues.map((issue) => issue.property).sort();

/** A deep copy of an example with `patch` applied through a mutator. */
function example<Type extends PlatformEventType>(type: Type, patch: (data: Record<string, any>) => void = () => {}): Record<string, any> {
  const copy = structuredClone(platformExamplePayloads[type]) as Record<string, any>;
  patch(copy);
  return copy;
}

describe('platform catalogue', () => {
  it('knows the platform catalogue, with order.created at v3', () => {
    const registry = createPlatformRegistry();
    expect(registry.latest('order.created').type).toBe('order.created.v3');
    expect(registry.latest('payment.declined').type).toBe('payment.declined.v1');
    expect(registry.listUpcasters().map((u) => u.from.type)).toEqual(['order.created.v1', 'order.created.v2']);
  });

  it('refuses a platform event of a producer without a subject domain', () => {
    class Sent {
      @IsString() orderId!: string;
    }
    expect(() => definePlatformEvent({ type: 'shipping.sent.v1', payload: Sent, aggregate: 'x', subjectField: 'orderId', description: 'Unknown producer.' })).toThrow(
      /no subject domain/,
    );
  });

  it('declares the whole order flow of the design brief, one contract per versioned type', () => {
    expect(platformContracts.map((c) => c.type).sort()).toEqual([
      'inventory.committed.v1',
      'inventory.product-updated.v1',
      'inventory.released.v1',
      'inventory.reservation-failed.v1',
      'inventory.reserved.v1',
      'inventory.stock-low.v1',
      'loyalty.points-awarded.v1',
      'notification.sent.v1',
      'order.cancelled.v1',
      'order.confirmed.v1',
      'order.created.v1',
      'order.created.v2',
      'order.created.v3',
      'payment.authorized.v1',
      'payment.captured.v1',
      'payment.declined.v1',
      'payment.refunded.v1',
      'payment.voided.v1',
    ]);
    expect(platformUpcasters.map((u) => `${u.from.type}->${u.to.type}`)).toEqual(['order.created.v1->order.created.v2', 'order.created.v2->order.created.v3']);
  });

  it('gives every contract metadata consistent with its wire type', () => {
    expect(platformContracts.length).toBeGreaterThan(0);
    for (const contract of platformContracts) {
      const parsed = parseEventType(contract.type);
      expect(contract).toMatchObject({ producer: parsed.producer, name: parsed.name, version: parsed.version, unversioned: parsed.unversioned });
      expect(subjectFor(contract.type, 'demo')).toBe(`${contract.domain}.demo.${contract.name}`);
      expect(contract.payload.name).not.toBe('');
      expect(contract.description.length).toBeGreaterThan(20);
    }
  });

  it('accepts the example payload of every type and returns it as is', () => {
    const types = Object.keys(platformExamplePayloads);
    expect(types.sort()).toEqual(platformContracts.map((c) => c.type).sort());
    for (const type of types) {
      const data = platformExamplePayloads[type as PlatformEventType];
      expect(registry.validate(type, data)).toBe(data);
      const subject = (data as unknown as Record<string, unknown>)[registry.get(type).subjectField];
      expect(typeof subject).toBe('string');
    }
  });

  it('refuses an unknown type with UnknownEventTypeError', () => {
    expect(() => registry.validate('order.shipped.v1', {})).toThrow(UnknownEventTypeError);
  });
});

describe('payload validation', () => {
  it('names a missing required field', () => {
    expect(paths(issuesOf('order.confirmed.v1', example('order.confirmed.v1', (d) => delete d['totalCents'])))).toEqual(['totalCents']);
  });

  it('refuses unknown fields at any depth (whitelist, forbidNonWhitelisted)', () => {
    const data = example('order.created.v1', (d) => {
      d['discount'] = 5;
      d['items'][1]['colour'] = 'red';
    });
    const issues = issuesOf('order.created.v1', data);
    expect(paths(issues)).toEqual(['discount', 'items.1.colour']);
    expect(issues.find((i) => i.property === 'discount')!.messages.join()).toMatch(/should not exist/);
  });

  it('reports nested array fields with their index path', () => {
    const data = example('order.created.v1', (d) => {
      d['items'][0]['quantity'] = 0;
      d['items'][1]['sku'] = 'sku 2';
    });
    const issues = issuesOf('order.created.v1', data);
    expect(paths(issues)).toEqual(['items.0.quantity', 'items.1.sku']);
    expect(issues.find((i) => i.property === 'items.0.quantity')!.messages.join()).toMatch(/quantity/);
  });

  it('refuses an item that is not an object, and an items value that is not an array', () => {
    for (const element of [null, [], [{ sku: 'SKU-001', quantity: 1, unitPriceCents: 1 }], 'SKU-001']) {
      const issues = issuesOf('order.created.v1', example('order.created.v1', (d) => d['items'].push(element)));
      expect(issues.find((issue) => issue.property === 'items')?.messages, JSON.stringify(element)).toContain('each value in items must be an object');
    }
    expect(paths(issuesOf('order.created.v1', example('order.created.v1', (d) => (d['items'] = 'SKU-001'))))).toContain('items');
  });

  it('bounds the number of lines: 1 to 50', () => {
    expect(paths(issuesOf('order.created.v1', example('order.created.v1', (d) => (d['items'] = []))))).toEqual(['items']);
    const line = { sku: 'SKU-001', quantity: 1, unitPriceCents: 1 };
    const tooMany = example('order.created.v1', (d) => (d['items'] = Array.from({ length: 51 }, () => ({ ...line }))));
    expect(paths(issuesOf('order.created.v1', tooMany))).toEqual(['items']);
  });

  it.each([
    ['a float', 19.99],
    ['a negative amount', -1],
    ['a numeric string', '1999'],
    ['an amount beyond 2^53', 2 ** 60],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses money as %s', (_label, value) => {
    expect(paths(issuesOf('order.confirmed.v1', example('order.confirmed.v1', (d) => (d['totalCents'] = value))))).toEqual(['totalCents']);
  });

  it.each(['eur', 'EURO', 'E1R', 'XYZ', ''])('refuses the currency %j', (currency) => {
    expect(paths(issuesOf('payment.captured.v1', example('payment.captured.v1', (d) => (d['currency'] = currency))))).toEqual(['currency']);
  });

  it('refuses ids that are not UUIDs and customer ids out of bounds', () => {
    const data = example('order.confirmed.v1', (d) => {
      d['orderId'] = 'order-1';
      d['customerId'] = 'c'.repeat(65);
    });
    expect(paths(issuesOf('order.confirmed.v1', data))).toEqual(['customerId', 'orderId']);
  });

  it('refuses values outside a closed set', () => {
    expect(paths(issuesOf('order.cancelled.v1', example('order.cancelled.v1', (d) => (d['reason'] = 'changed_mind'))))).toEqual(['reason']);
    expect(paths(issuesOf('payment.declined.v1', example('payment.declined.v1', (d) => (d['reason'] = 'gateway_error'))))).toEqual(['reason']);
    expect(paths(issuesOf('notification.sent.v1', example('notification.sent.v1', (d) => (d['channel'] = 'pigeon'))))).toEqual(['channel']);
  });

  it('lets an optional field be absent but not null or malformed', () => {
    const withoutDeadline = example('order.created.v1', (d) => delete d['deadlineAt']);
    expect(() => registry.validate('order.created.v1', withoutDeadline)).not.toThrow();
    expect(paths(issuesOf('order.created.v1', example('order.created.v1', (d) => (d['deadlineAt'] = null))))).toEqual(['deadlineAt']);
    expect(paths(issuesOf('order.created.v1', example('order.created.v1', (d) => (d['deadlineAt'] = 'tomorrow'))))).toEqual(['deadlineAt']);
    for (const impossible of ['2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-31T24:00:00Z', '2026-01-31 12:00:00Z']) {
      expect(paths(issuesOf('order.created.v1', example('order.created.v1', (d) => (d['deadlineAt'] = impossible))))).toEqual(['deadlineAt']);
    }
  });

  it('validates nested objects of v2 and refuses an array in their place', () => {
    expect(paths(issuesOf('order.created.v2', example('order.created.v2', (d) => (d['customer']['tier'] = 'platinum'))))).toEqual([
      'customer.tier',
    ]);
    expect(paths(issuesOf('order.created.v2', example('order.created.v2', (d) => (d['customer'] = [{ id: 'c-1' }]))))).toContain('customer');
    expect(paths(issuesOf('order.created.v2', example('order.created.v2', (d) => (d['total'] = { amountCents: 1 }))))).toEqual(['total.currency']);
  });

  it('validates arrays of strings element by element', () => {
    expect(paths(issuesOf('inventory.reservation-failed.v1', example('inventory.reservation-failed.v1', (d) => (d['skus'] = []))))).toEqual([
      'skus',
    ]);
    const issues = issuesOf('inventory.reservation-failed.v1', example('inventory.reservation-failed.v1', (d) => (d['skus'] = ['SKU-001', 7])));
    expect(paths(issues)).toEqual(['skus']);
  });

  it.each([null, [], 'order', 42, undefined])('refuses a payload that is not an object: %j', (data) => {
    expect(paths(issuesOf('order.confirmed.v1', data))).toEqual(['(root)']);
  });

  it('refuses __proto__ and constructor keys that class-transformer would silently skip', () => {
    const parsed = JSON.parse(
      '{"orderId":"01890a5d-ac96-774b-bcce-b302099a8057","customerId":"c-1","totalCents":1,"currency":"EUR","__proto__":{"polluted":true}}',
    ) as Record<string, unknown>;
    expect(paths(issuesOf('order.confirmed.v1', parsed))).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const nested = example('order.created.v1', (d) => (d['items'][0]['constructor'] = { prototype: {} }));
    expect(paths(issuesOf('order.created.v1', nested))).toEqual(['items.0.constructor']);
  });

  it('does not put the payload in the error (it reaches logs and dead-letter records)', () => {
    const secret = 'tok_secret_never_logged';
    const data = example('order.created.v1', (d) => {
      d['paymentToken'] = `${secret} `;
    });
    try {
      registry.validate('order.created.v1', data);
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(secret);
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
