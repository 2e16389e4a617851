import { Transform, Type } from 'class-transformer';
import { IsDefined, IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Min, ValidateIf, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { Optional } from './contract.decorators.js';
import type { EventContract, PayloadClass } from './define-event.js';
import { platformContracts, type PlatformEventType } from './platform.catalogue.js';
import { platformExamplePayloads } from './platform.examples.js';
import { compileFastSchema, PayloadValidator } from './payload.validator.js';
import { payloadSchema } from './json-schema.js';
import type { JsonSchema } from './json-schema.types.js';
import { seededRandom as rng } from '../testing/seeded-random.js';

const ODD_VALUES: unknown[] = [
  null, undefined, '', ' ', 'x', 'SKU-001', 'sku-001', 'EUR', 'eur', 'tok_visa', 'tok_', 'c-1', '01890a5d-ac96-774b-bcce-b302099a8057',
  '2026-01-31T12:00:00Z', '2026-02-30T12:00:00Z', 0, 1, -1, 1.5, 100, 101, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, true, false,
  [], [1], ['SKU-001'], [{}], [{ sku: 'SKU-001', quantity: 1 }], [{ sku: 'SKU-001', quantity: 1, unitPriceCents: 5 }], {}, { id: 'c-1' },
  { amountCents: 1, currency: 'EUR' }, 'payment_declined', 'out_of_stock', 'email', 'gold',
  // Near misses of the generated schema's formats: an unassigned currency code, UUIDs outside
  // validator.js's `all` (URN form, version 0, upper case is fine), timestamps in lower case or
  // with a leap second, characters with variation selectors, the largest safe integer, -0.
  'AAA', 'urn:uuid:01890a5d-ac96-774b-bcce-b302099a8057', '01890a5d-ac96-074b-bcce-b302099a8057', '01890A5D-AC96-774B-BCCE-B302099A8057',
  '2026-01-31t12:00:00z', '2026-01-31T23:59:60Z', 'x\uFE0F', 'EU\uFE0F', Number.MAX_SAFE_INTEGER, -0,
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

const MUTANTS_PER_CONTRACT = 1000;

interface Differential {
  readonly total: number;
  /** class-validator's verdict on the mutants. */
  readonly accepted: number;
  readonly rejected: number;
  /** Mutants the fast check accepted and class-validator refused: must never happen. */
  readonly unsound: string[];
  /** Mutants where the fast check and class-validator agree (both accept or both refuse). */
  readonly agreed: number;
  /** Mutants where PayloadValidator.validate differs from class-validator's verdict and issues. */
  readonly changed: string[];
  readonly agreementByType: Record<string, number>;
}

/**
 * Mutate every platform example MUTANTS_PER_CONTRACT times (the seeded engine above) and compare
 * `fast` (ajv accepting) with class-validator (plainToInstance + validateSync, the authoritative
 * path) on each mutant.
 */
function differential(fast: (contract: EventContract, validator: PayloadValidator) => (data: Record<string, unknown>) => boolean): Differential {
  const random = rng(0xc0ffee);
  const result = { total: 0, accepted: 0, rejected: 0, unsound: [] as string[], agreed: 0, changed: [] as string[], agreementByType: {} as Record<string, number> };
  for (const contract of platformContracts) {
    const validator = new PayloadValidator(contract.payload);
    const accepts = fast(contract, validator);
    let agreed = 0;
    for (let i = 0; i < MUTANTS_PER_CONTRACT; i++) {
      const data = structuredClone(platformExamplePayloads[contract.type as PlatformEventType]) as unknown as Record<string, unknown>;
      mutate(data, random);
      const issues = validator.authoritativeIssues(data);
      const valid = issues.length === 0;
      const fastValid = accepts(data);
      result.total++;
      if (valid) result.accepted++;
      else result.rejected++;
      if (fastValid && !valid) result.unsound.push(`${contract.type}: ${JSON.stringify(data)} → ${JSON.stringify(issues)}`);
      if (fastValid === valid) agreed++;
      const seen = validator.validate(data);
      if (JSON.stringify(seen) !== JSON.stringify(issues)) result.changed.push(`${contract.type}: ${JSON.stringify(data)} gave ${JSON.stringify(seen)}, class-validator ${JSON.stringify(issues)}`);
    }
    result.agreed += agreed;
    result.agreementByType[contract.type] = agreed / MUTANTS_PER_CONTRACT;
  }
  return result;
}

/** The schema with every `pattern`, `format` and `enum` removed: looser than class-validator. */
function loosened(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(loosened);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([keyword]) => !['pattern', 'format', 'enum', 'allOf'].includes(keyword))
      .map(([keyword, value]) => [keyword, loosened(value)]),
  );
}

describe('PayloadValidator', () => {
  it('accepts every platform example on the fast path (ajv), as class-validator does', () => {
    expect(platformContracts.length).toBeGreaterThan(0);
    for (const contract of platformContracts) {
      const validator = new PayloadValidator(contract.payload);
      const example = platformExamplePayloads[contract.type as PlatformEventType] as unknown as Record<string, unknown>;
      expect(validator.fastAccepts(example), contract.type).toBe(true);
      expect(validator.authoritativeIssues(example), contract.type).toEqual([]);
    }
  });

  it('never accepts what class-validator refuses, and callers see class-validator’s verdict and issues, on thousands of mutated payloads (differential)', () => {
    const result = differential((_contract, validator) => (data) => validator.fastAccepts(data));
    const ratio = result.agreed / result.total;
    const worst = Object.entries(result.agreementByType).sort((a, b) => a[1] - b[1])[0]!;
    console.log(
      `payload validator differential: ${result.total} mutants of ${platformContracts.length} contracts (${result.accepted} valid, ${result.rejected} invalid); ` +
        `ajv accepted what class-validator refused: ${result.unsound.length}; ajv agreed with class-validator on ${result.agreed}/${result.total} = ${(ratio * 100).toFixed(2)} % ` +
        `(lowest ${worst[0]} ${(worst[1] * 100).toFixed(2)} %); validate() differed from class-validator: ${result.changed.length}`,
    );
    // (a) soundness: ajv accepting implies class-validator accepting.
    expect(result.unsound).toEqual([]);
    // (b) callers see exactly what class-validator says, messages included.
    expect(result.changed).toEqual([]);
    // (c) the fast path is the one taken: ajv's verdict is class-validator's on the great majority.
    expect(ratio).toBeGreaterThanOrEqual(0.99);
    // The mutants exercise both verdicts.
    expect(result.accepted).toBeGreaterThan(500);
    expect(result.rejected).toBeGreaterThan(5000);
  });

  it('the differential catches a fast path looser than class-validator', () => {
    const result = differential((contract: EventContract) => compileFastSchema(loosened(payloadSchema(contract)) as JsonSchema));
    expect(result.unsound.length).toBeGreaterThan(10);
  });

  it('validates classes JSON Schema cannot fully describe through class-validator, with the same verdict', () => {
    class WithTransform {
      @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
      @IsString()
      @Length(1, 3)
      name!: string;
    }
    class WithInitializer {
      @Optional() @IsInt() @Min(5) count: number = 0;
    }
    class WithGroups {
      @IsString({ groups: ['admin'] }) secret!: string;
      @IsString() name!: string;
    }
    class WithIsDefined {
      @IsDefined() value!: unknown;
    }
    class WithCondition {
      @IsIn(['card', 'cash']) kind!: string;
      @ValidateIf((payment: { kind?: string }) => payment.kind === 'card') @IsString() token?: string;
    }
    class WithUnknownConstraint {
      @IsEmail() email!: string;
    }
    class WithUndecoratedField {
      @IsString() name!: string;
      note?: string;
    }
    class WithFlags {
      @Matches(/^[^a]+$/i) code!: string;
    }
    class Line {
      @IsString() sku!: string;
    }
    class WithoutType {
      @ValidateNested() line!: Line;
    }
    // [class, payload, class-validator's verdict, taken by the fast path]
    const cases: [PayloadClass, Record<string, unknown>, boolean, boolean][] = [
      [WithTransform, { name: ' a ' }, true, false],
      [WithTransform, { name: '  abcd  ' }, false, false],
      [WithInitializer, {}, false, false],
      [WithInitializer, { count: 7 }, true, false],
      // Without groups requested, class-validator applies grouped constraints too; the schema says so.
      [WithGroups, { name: 'n' }, false, false],
      [WithGroups, { name: 'n', secret: 's' }, true, true],
      // IsDefined is exact in JSON Schema (required, not null).
      [WithIsDefined, {}, false, false],
      [WithIsDefined, { value: null }, false, false],
      [WithIsDefined, { value: 1 }, true, true],
      [WithCondition, { kind: 'cash' }, true, false],
      [WithCondition, { kind: 'card' }, false, false],
      [WithCondition, { kind: 'card', token: 't' }, true, false],
      [WithUnknownConstraint, { email: 'a@example.com' }, true, false],
      [WithUndecoratedField, { name: 'n' }, false, false],
      [WithFlags, { code: 'xyz' }, true, false],
      [WithFlags, { code: 'XAZ' }, false, false],
      [WithoutType, { line: { sku: 's' } }, false, false],
    ];
    for (const [payload, data, valid, fast] of cases) {
      const validator = new PayloadValidator(payload);
      const label = `${payload.name} ${JSON.stringify(data)}`;
      expect(validator.authoritativeIssues(data).length === 0, label).toBe(valid);
      expect(validator.fastAccepts(data), label).toBe(fast);
      expect(validator.validate(data), label).toEqual(validator.authoritativeIssues(data));
    }
  });

  it('counts string lengths as class-validator does (variation selectors, surrogate pairs), never accepting what it refuses', () => {
    class Named {
      @IsString() @Length(2, 4) name!: string;
      @IsOptional() @IsString() @Length(3) code?: string;
    }
    const validator = new PayloadValidator(Named);
    const strings = ['', 'a', 'ab', 'abcd', 'abcde', 'a\uFE0F', 'ab\uFE0F', '\uFE0F', '\uFE0F\uFE0F', 'a\uFE0F\uFE0F', '😀', '😀😀', '😀\uFE0F', '😀\uFE0F😀',
      '\uD800', '\uD800\uD800', '\uDC00a', '\uD800\uFE0F', 'abc\uFE0F\uFE0F', 'abcd\uFE0F', 'ab😀\uFE0F', 'a\uFE0Eb\uFE0F', '\n\n'];
    const stricter: string[] = [];
    let valid = 0;
    for (const name of strings) {
      for (const code of [undefined, ...strings]) {
        const data = code === undefined ? { name } : { name, code };
        const label = JSON.stringify(data);
        const accepted = validator.authoritativeIssues(data).length === 0;
        if (accepted) valid++;
        if (validator.fastAccepts(data)) expect(accepted, label).toBe(true);
        else if (accepted) stricter.push(label);
        expect(validator.validate(data), label).toEqual(validator.authoritativeIssues(data));
      }
    }
    expect(valid).toBeGreaterThan(50);
    // ajv is stricter only at a maximum reached with variation selectors (maxLength counts them).
    expect(stricter.length).toBeLessThan(valid / 4);
    expect(stricter.filter((label) => !/[\uFE0E\uFE0F]/.test(label))).toEqual([]);
    // Exact at the minimum: a character with its variation selector counts one.
    expect(validator.fastAccepts({ name: 'ab', code: 'a\uFE0Fbc' })).toBe(true);
    expect(validator.fastAccepts({ name: 'ab', code: 'a\uFE0Fb' })).toBe(false);
    expect(validator.validate({ name: 'ab', code: 'a\uFE0Fb' }).map((issue) => issue.property)).toEqual(['code']);
  });

  it('reports a constructor key that would crash class-transformer as an issue', () => {
    const validator = new PayloadValidator(platformContracts[3].payload);
    const data = { ...platformExamplePayloads['order.cancelled.v1'], customerId: [{ constructor: 1.5 }] };
    expect(validator.validate(data).map((issue) => issue.property)).toEqual(['customerId.0.constructor']);
  });

  it('sends data that is not plain JSON to class-validator: __proto__, constructor, hidden properties, instances, holes', () => {
    const validator = new PayloadValidator(platformContracts[2].payload);
    const example = platformExamplePayloads['order.confirmed.v1'];
    expect(validator.fastAccepts(JSON.parse(JSON.stringify(example).replace('{', '{"__proto__":{},')))).toBe(false);
    expect(validator.fastAccepts({ ...example, constructor: 'x' })).toBe(false);
    const hidden = { ...example } as Record<string, unknown>;
    Object.defineProperty(hidden, 'totalCents', { value: 1, enumerable: false });
    expect(validator.fastAccepts(hidden)).toBe(false);
    expect(validator.validate(hidden).map((issue) => issue.property)).toEqual(['totalCents']);
    const inherited = Object.assign(Object.create({ currency: 'EUR' }), { ...example, currency: undefined }) as Record<string, unknown>;
    delete inherited['currency'];
    expect(validator.fastAccepts(inherited)).toBe(false);
    expect(validator.validate(inherited)).toEqual(validator.authoritativeIssues(inherited));
    // A plain object without a prototype is plain data.
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, example);
    expect(validator.fastAccepts(bare)).toBe(true);
    expect(validator.authoritativeIssues(bare)).toEqual([]);

    const items = new PayloadValidator(platformContracts.find((contract) => contract.type === 'inventory.reserved.v1')!.payload);
    const reserved = structuredClone(platformExamplePayloads['inventory.reserved.v1']) as { items: unknown[] };
    const sparse = { ...reserved, items: [...reserved.items] };
    delete sparse.items[1];
    expect(items.fastAccepts(sparse)).toBe(false);
    expect(items.validate(sparse)).toEqual(items.authoritativeIssues(sparse));
    const dated = { ...reserved, items: [{ sku: 'SKU-001', quantity: 1 }, new Date(0)] };
    expect(items.fastAccepts(dated)).toBe(false);
    expect(items.validate(dated)).toEqual(items.authoritativeIssues(dated));
  });

  it('validates a nested @Type class on the fast path, with class-validator’s paths when it refuses', () => {
    class Line {
      @IsString() sku!: string;
    }
    class Typed {
      @ValidateNested() @Type(() => Line) typed!: Line;
    }
    const validator = new PayloadValidator(Typed);
    expect(validator.fastAccepts({ typed: { sku: 's' } })).toBe(true);
    expect(validator.validate({ typed: { sku: 1 } }).map((issue) => issue.property)).toEqual(['typed.sku']);
  });
});
