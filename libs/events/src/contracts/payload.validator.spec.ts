import { Transform } from 'class-transformer';
import { IsDefined, IsInt, IsString, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { platformContracts, type PlatformEventType } from './platform.catalogue.js';
import { platformExamplePayloads } from './platform.examples.js';
import { PayloadValidator } from './payload.validator.js';
import { seededRandom as rng } from '../testing/seeded-random.js';


const ODD_VALUES: unknown[] = [
  null, undefined, '', ' ', 'x', 'SKU-001', 'sku-001', 'EUR', 'eur', 'tok_visa', 'tok_', 'c-1', '01890a5d-ac96-774b-bcce-b302099a8057',
  '2026-01-31T12:00:00Z', '2026-02-30T12:00:00Z', 0, 1, -1, 1.5, 100, 101, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, true, false,
  [], [1], ['SKU-001'], [{}], [{ sku: 'SKU-001', quantity: 1 }], [{ sku: 'SKU-001', quantity: 1, unitPriceCents: 5 }], {}, { id: 'c-1' },
  { amountCents: 1, currency: 'EUR' }, 'payment_declined', 'out_of_stock', 'email', 'gold',
];
const KEYS = ['orderId', 'items', 'sku', 'quantity', 'extra', 'customer', 'id', 'tier', 'total', 'currency', 'skus', 'deadlineAt', 'constructor'];

/** Apply one to three random edits somewhere in a JSON tree (in place). */
function mutate(root: Record<string, unknown>, random: () => number): void {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    let node: unknown = root;
    // Walk down a random path, stopping at a random depth.
    for (let depth = 0; depth < 3 && random() < 0.6; depth++) {
      const children = Array.isArray(node) ? node : typeof node === 'object' && node !== null ? Object.values(node) : [];
      const next = children.filter((child) => typeof child === 'object' && child !== null);
      if (next.length === 0) break;
      node = pick(next);
    }
    if (Array.isArray(node)) {
      if (random() < 0.5) node.splice(Math.floor(random() * (node.length + 1)), random() < 0.5 ? 1 : 0, structuredClone(pick(ODD_VALUES)));
      else node.pop();
    } else if (typeof node === 'object' && node !== null) {
      const object = node as Record<string, unknown>;
      const keys = Object.keys(object);
      const op = random();
      if (op < 0.6 && keys.length > 0) object[pick(keys)] = structuredClone(pick(ODD_VALUES));
      else if (op < 0.8 && keys.length > 0) delete object[pick(keys)];
      else Object.defineProperty(object, pick(KEYS), { value: structuredClone(pick(ODD_VALUES)), enumerable: true, writable: true, configurable: true });
    }
  }
}

describe('PayloadValidator', () => {
  it('compiles a fast path for every platform contract and accepts its example on it', () => {
    expect(platformContracts.length).toBeGreaterThan(0);
    for (const contract of platformContracts) {
      const validator = new PayloadValidator(contract.payload);
      const example = platformExamplePayloads[contract.type as PlatformEventType] as unknown as Record<string, unknown>;
      expect(validator.fastAccepts(example), contract.type).toBe(true);
      expect(validator.authoritativeIssues(example), contract.type).toEqual([]);
    }
  });

  it('agrees with class-validator on thousands of mutated payloads (differential)', () => {
    const random = rng(0xc0ffee);
    const disagreements: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (const contract of platformContracts) {
      const validator = new PayloadValidator(contract.payload);
      for (let i = 0; i < 400; i++) {
        const data = structuredClone(platformExamplePayloads[contract.type as PlatformEventType]) as unknown as Record<string, unknown>;
        mutate(data, random);
        const fast = validator.fastAccepts(data);
        const valid = validator.authoritativeIssues(data).length === 0;
        if (fast !== valid) disagreements.push(`${contract.type}: fast=${fast} classValidator=${valid} ${JSON.stringify(data)}`);
        if (valid) accepted++;
        else rejected++;
      }
    }
    // The fast path may only ever be stricter; on the platform's contracts it is exact.
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(2000);
  });

  it('falls back to class-validator for classes it does not model, with the same verdict', () => {
    class WithTransform {
      @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
      @IsString()
      name!: string;
    }
    class WithInitializer {
      @IsInt() @Min(0) count: number = 0;
    }
    class WithGroups {
      @IsString({ groups: ['admin'] }) secret!: string;
      @IsString() name!: string;
    }
    class WithIsDefined {
      @IsDefined() value!: unknown;
    }
    const cases: [PayloadValidator, Record<string, unknown>, boolean][] = [
      [new PayloadValidator(WithTransform), { name: ' a ' }, true],
      [new PayloadValidator(WithInitializer), {}, true],
      [new PayloadValidator(WithInitializer), { count: -1 }, false],
      // Without groups requested, class-validator still applies grouped constraints.
      [new PayloadValidator(WithGroups), { name: 'n' }, false],
      [new PayloadValidator(WithGroups), { name: 'n', secret: 's' }, true],
      [new PayloadValidator(WithIsDefined), {}, false],
      [new PayloadValidator(WithIsDefined), { value: 1 }, true],
    ];
    for (const [validator, data, valid] of cases) {
      expect(validator.fastAccepts(data)).toBe(false);
      expect(validator.validate(data).length === 0, JSON.stringify(data)).toBe(valid);
    }
  });

  it('reports a constructor key that would crash class-transformer as an issue', () => {
    const validator = new PayloadValidator(platformContracts[3].payload);
    const data = { ...platformExamplePayloads['order.cancelled.v1'], customerId: [{ constructor: 1.5 }] };
    expect(validator.validate(data).map((issue) => issue.property)).toEqual(['customerId.0.constructor']);
  });

  it('sends __proto__, constructor and non-enumerable properties to class-validator', () => {
    const validator = new PayloadValidator(platformContracts[2].payload);
    const example = platformExamplePayloads['order.confirmed.v1'];
    expect(validator.fastAccepts(JSON.parse(JSON.stringify(example).replace('{', '{"__proto__":{},')))).toBe(false);
    expect(validator.fastAccepts({ ...example, constructor: 'x' })).toBe(false);
    const hidden = { ...example } as Record<string, unknown>;
    Object.defineProperty(hidden, 'totalCents', { value: 1, enumerable: false });
    expect(validator.fastAccepts(hidden)).toBe(false);
    expect(validator.validate(hidden).map((issue) => issue.property)).toEqual(['totalCents']);
  });
});
