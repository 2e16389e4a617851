import { Exclude, Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { describe, expect, it } from 'vitest';
import { defineEvent, EventRegistry, generateJsonSchemas, type JsonSchema, Optional } from '@platform/events';
import { CLASS_VALIDATOR_ONLY, payloadClassSchema } from '@platform/events/internal';
import { collectJsonKey as collect } from '@platform/events/testing';
import { createPlatformRegistry } from './catalogue.js';

const registry = createPlatformRegistry();
const types = registry.list().map((contract) => contract.type);

/** Every object schema (one with `properties`) anywhere in a JSON tree. */
function objectSchemas(tree: unknown, found: JsonSchema[] = []): JsonSchema[] {
  if (Array.isArray(tree)) for (const item of tree) objectSchemas(item, found);
  else if (typeof tree === 'object' && tree !== null) {
    if ('properties' in tree && (tree as JsonSchema)['type'] === 'object') found.push(tree as JsonSchema);
    for (const value of Object.values(tree)) objectSchemas(value, found);
  }
  return found;
}

describe('generateJsonSchemas', () => {
  const schemas = generateJsonSchemas(registry);

  it('has one self-contained draft-07 schema per registered type', () => {
    expect(Object.keys(schemas).sort()).toEqual(types);
    for (const type of types) {
      expect(schemas[type]).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', title: type, type: 'object' });
      expect(schemas[type]!['description']).toBe(registry.get(type).description);
    }
    expect(collect(schemas, '$ref')).toEqual([]);
  });

  it('inlines nested classes and closes every object, as forbidNonWhitelisted does', () => {
    const v2 = schemas['order.created.v2']!;
    expect(v2).toMatchObject({
      required: ['orderId', 'customer', 'items', 'total', 'paymentToken'],
      properties: {
        customer: { type: 'object', required: ['id'], properties: { tier: { enum: ['standard', 'silver', 'gold'] } } },
        items: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'object', required: ['sku', 'quantity', 'unitPriceCents'] } },
        total: { type: 'object', properties: { amountCents: { type: 'integer' }, currency: { pattern: '^[A-Z]{3}$' } } },
        deadlineAt: { type: 'string', format: 'date-time' },
      },
    });
    const objects = objectSchemas(schemas);
    expect(objects.length).toBeGreaterThan(types.length);
    expect(objects.filter((schema) => schema['additionalProperties'] !== false)).toEqual([]);
  });

  it('types every amount of money as a bounded integer', () => {
    const money = Object.values(schemas).flatMap((schema) =>
      objectSchemas(schema).flatMap((object) =>
        Object.entries(object['properties'] as Record<string, JsonSchema>).filter(([name]) => /Cents$/.test(name)),
      ),
    );
    expect(money.length).toBeGreaterThan(10);
    for (const [name, property] of money) {
      expect(property, name).toMatchObject({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
    }
  });

  it('refuses payload classes it cannot describe', () => {
    class UntypedLine {
      @IsString() sku!: string;
    }
    class UntypedPayload {
      @IsString() id!: string;
      @IsArray() @ValidateNested({ each: true }) lines!: UntypedLine[];
    }
    const untyped = defineEvent({ type: 'order.untyped.v1', payload: UntypedPayload, aggregate: 'order', subjectField: 'id', domain: 'orders', description: 'Nested without @Type.' });
    expect(() => generateJsonSchemas(new EventRegistry().register(untyped))).toThrow(/add @Type/);

    const makeLine = () => {
      class Line {
        @IsString() sku!: string;
      }
      return Line;
    };
    const [LineA, LineB] = [makeLine(), makeLine()];
    class Clashing {
      @IsString() id!: string;
      @ValidateNested() @Type(() => LineA) a!: object;
      @ValidateNested() @Type(() => LineB) b!: object;
    }
    const clashing = defineEvent({ type: 'order.clashing.v1', payload: Clashing, aggregate: 'order', subjectField: 'id', domain: 'orders', description: 'Two nested classes share a name.' });
    expect(() => generateJsonSchemas(new EventRegistry().register(clashing))).toThrow(/unique names/);
  });
});

describe('payloadClassSchema', () => {
  const schemas = generateJsonSchemas(registry);
  const properties = (schema: JsonSchema) => schema['properties'] as Record<string, JsonSchema>;

  it('says exactly what the platform decorators check, with nothing left to class-validator alone', () => {
    const v2 = schemas['order.created.v2']!;
    const uuid = properties(v2)['orderId']!;
    expect(uuid).toMatchObject({ type: 'string', format: 'uuid' });
    const uuidPattern = new RegExp(uuid['pattern'] as string);
    expect(uuidPattern.test('01890a5d-ac96-774b-bcce-b302099a8057')).toBe(true);
    expect(uuidPattern.test('01890a5d-ac96-074b-bcce-b302099a8057')).toBe(false); // version 0
    expect(uuidPattern.test('urn:uuid:01890a5d-ac96-774b-bcce-b302099a8057')).toBe(false);

    const currency = properties(properties(v2)['total']!)['currency']!;
    expect(currency).toMatchObject({ type: 'string', minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' });
    const codes = currency['enum'] as string[];
    expect(codes.length).toBeGreaterThan(150);
    expect(codes).toEqual(expect.arrayContaining(['EUR', 'USD', 'JPY', 'CHF']));
    expect(codes).not.toContain('AAA');
    expect(codes.every((code) => /^[A-Z]{3}$/.test(code))).toBe(true);
    expect(currency['allOf']).toBeUndefined(); // the codes fix the length

    expect(collect(schemas, CLASS_VALIDATOR_ONLY)).toEqual([]);
  });

  it('marks what JSON Schema cannot say, so that the fast validator leaves it to class-validator', () => {
    class Reshaped {
      @Transform(({ value }) => value) @IsString() trimmed!: string;
      @Exclude() @IsString() hidden!: string;
      @Type(() => Number) @IsInt() converted!: number;
      @IsInt() initialized: number = 1;
      @IsString() get computed(): string {
        return 'x';
      }
      undecorated?: string;
      @IsString() kind!: string;
      @ValidateIf((object: { kind?: string }) => object.kind === 'card') @IsString() conditional?: string;
    }
    const reshaped = payloadClassSchema(Reshaped);
    expect(reshaped[CLASS_VALIDATOR_ONLY]).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^trimmed: @Transform/),
        expect.stringMatching(/^hidden: @Expose\/@Exclude/),
        expect.stringMatching(/^converted: @Type converts/),
        expect.stringMatching(/^initialized: has a value/),
        expect.stringMatching(/^computed: has a value/),
        expect.stringMatching(/^undecorated: a field without validation decorators/),
        expect.stringMatching(/^conditional: validated only when/),
      ]),
    );
    expect(reshaped['required']).not.toContain('conditional');

    class Inexpressible {
      @IsEmail() email!: string;
      @IsUUID('4') id!: string;
      @Matches(/^[a-z]+$/i) code!: string;
      @IsInt() @Min(0) fine!: number;
    }
    expect(properties(payloadClassSchema(Inexpressible))).toEqual({
      email: { [CLASS_VALIDATOR_ONLY]: ['isEmail'] },
      id: { [CLASS_VALIDATOR_ONLY]: ['isUuid'] },
      code: { [CLASS_VALIDATOR_ONLY]: ['matches'] },
      fine: { type: 'integer', minimum: 0 },
    });

    class Empty {}
    expect(payloadClassSchema(Empty)[CLASS_VALIDATOR_ONLY]).toEqual([expect.stringMatching(/^no validation metadata/)]);
  });

  it('intersects the constraints of a property: none overwrites another', () => {
    class Stacked {
      @Matches(/^a/) @Matches(/b$/) @Length(1, 9) @Length(2, 5) both!: string;
      @Min(1) @IsInt() @Max(5) count!: number;
      @JSONSchema({ description: 'annotated', maxLength: 3, title: 'T' }) @IsString() @Length(1, 10) annotated!: string;
      @IsIn(['a', 'b']) @IsString() choice!: string;
    }
    expect(properties(payloadClassSchema(Stacked))).toEqual({
      both: { type: 'string', pattern: 'b$', minLength: 2, maxLength: 5, allOf: [{ pattern: expect.stringMatching(/\{2\}$/) }, { pattern: '^a' }] },
      count: { type: 'integer', minimum: 1, maximum: 5 },
      // @JSONSchema annotates; a constraint it adds can only narrow the schema.
      annotated: { type: 'string', minLength: 1, maxLength: 3, description: 'annotated', title: 'T' },
      choice: { type: 'string', enum: ['a', 'b'] },
    });
  });

  it('makes a property optional only when class-validator skips it while absent', () => {
    class Optionals {
      @Optional() @IsString() ours?: string;
      @IsOptional() @IsString() theirs?: string;
      @IsString() always!: string;
    }
    const schema = payloadClassSchema(Optionals);
    expect(schema['required']).toEqual(['always']);
    expect(schema[CLASS_VALIDATOR_ONLY]).toBeUndefined();
  });

  it('counts a minimum length above one as class-validator does: a character with its variation selector is one', () => {
    class Coded {
      @IsString() @Length(3, 5) code!: string;
    }
    const code = properties(payloadClassSchema(Coded))['code']!;
    expect(code).toMatchObject({ type: 'string', minLength: 3, maxLength: 5 });
    const atLeastThree = new RegExp((code['allOf'] as JsonSchema[])[0]!['pattern'] as string);
    for (const [value, expected] of [
      ['abc', true],
      ['ab', false],
      ['a\uFE0Fbc', true],
      ['a\uFE0Fb', false],
      ['\uFE0F\uFE0F\uFE0F', true],
      ['😀😀', false],
      ['😀😀😀', true],
      ['😀\uFE0F😀', false],
    ] as const) {
      expect(atLeastThree.test(value), JSON.stringify(value)).toBe(expected);
    }
  });
});
