import 'reflect-metadata';
import { TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { validationMetadataArrayToSchemas } from 'class-validator-jsonschema';
import { transformerStorage } from './class-transformer-storage.js';
import type { EventContract, PayloadClass } from './define-event.js';
import { closeObjects, combine, decorate, inlineRefs } from './json-schema.assembly.js';
import { CONSTRAINTS } from './json-schema.constraints.js';
import { CLASS_VALIDATOR_ONLY, DEFINITIONS_PREFIX, type JsonSchema } from './json-schema.types.js';
import type { EventRegistry } from './registry.js';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

/**
 * The JSON Schema of every registered event's `data`, keyed by versioned type. Each schema is
 * self-contained: nested payload classes are inlined (no `$ref`), and every object forbids
 * additional properties, as the registry's validation does.
 */
export function generateJsonSchemas(registry: EventRegistry): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const contract of registry.list()) {
    schemas[contract.type] = {
      $schema: JSON_SCHEMA_DIALECT,
      title: contract.type,
      description: contract.description,
      ...payloadSchema(contract),
    };
  }
  return schemas;
}

/** The JSON Schema of one contract's payload class, nested classes inlined. */
export function payloadSchema(contract: EventContract): JsonSchema {
  return payloadClassSchema(contract.payload, `contract ${contract.type}`);
}

/**
 * The JSON Schema of a payload class, nested classes inlined: exactly what class-validator
 * accepts (`plainToInstance`, then `validateSync` with `whitelist`, `forbidNonWhitelisted` and
 * `forbidUnknownValues`), for plain JSON data. It is what the registry's fast validator runs,
 * so it must never accept a payload class-validator refuses:
 *
 * - each constraint is translated by name from a table of those whose meaning JSON Schema says
 *   exactly (or more strictly, where noted); any other constraint becomes a
 *   {@link CLASS_VALIDATOR_ONLY} node, as does a class that class-transformer reshapes before
 *   validation (`@Transform`, `@Expose`, `@Exclude`, `@Type` on a plain value, initializers);
 * - the constraints of a property are intersected (`allOf` where two cannot be merged), never
 *   overwritten by one another;
 * - a property is optional only when class-validator skips it while absent (`@ValidateIf`
 *   conditions such as `Optional()`'s, which read nothing but the property);
 * - `@JSONSchema` (`Describe`) annotations are copied; any other keyword it adds is intersected
 *   too, so it can only narrow what the schema accepts.
 *
 * Throws a `TypeError` for classes it cannot describe at all: nested validation without
 * `@Type(() => TheClass)`, two nested classes with one name, recursive classes.
 */
export function payloadClassSchema(root: PayloadClass, label = `payload class ${root.name}`): JsonSchema {
  const classes = reachableClasses(root, label);
  const byName = new Map<string, JsonSchema>();
  for (const cls of classes) byName.set(cls.name, classSchema(cls));
  return closeObjects(inlineRefs(byName.get(root.name) as JsonSchema, byName, [])) as JsonSchema;
}

function validationMetadatas(cls: PayloadClass): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
}

/** The payload class and every class nested in it (through `@ValidateNested` + `@Type`). */
function reachableClasses(root: PayloadClass, label: string): PayloadClass[] {
  const found = new Map<string, PayloadClass>();
  const visit = (cls: PayloadClass): void => {
    const known = found.get(cls.name);
    if (known === cls) return;
    if (known) throw new TypeError(`${label}: two nested classes are named ${cls.name}; JSON Schema needs unique names`);
    found.set(cls.name, cls);
    for (const meta of validationMetadatas(cls)) {
      if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
      // Without @Type, class-transformer leaves a nested value a plain object, which
      // class-validator then refuses as an unknown value: no payload could pass.
      const nested: unknown = transformerStorage.findTypeMetadata(cls, meta.propertyName)?.typeFunction();
      if (typeof nested !== 'function' || nested === Array || nested === Object) {
        throw new TypeError(`${label}: cannot tell the class of ${cls.name}.${meta.propertyName}; add @Type(() => TheClass)`);
      }
      visit(nested as PayloadClass);
    }
  };
  visit(root);
  return [...found.values()];
}

// ---------------------------------------------------------------------------------------------
// One class

function classSchema(cls: PayloadClass): JsonSchema {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const meta of validationMetadatas(cls)) {
    const list = byProperty.get(meta.propertyName) ?? [];
    list.push(meta);
    byProperty.set(meta.propertyName, list);
  }
  const notExpressible = classTransformerReshaping(cls, [...byProperty.keys()]);
  if (byProperty.size === 0) notExpressible.push('no validation metadata: class-validator refuses an instance of an unknown class');
  const decorations = jsonSchemaDecorations(cls, [...byProperty.keys()]);

  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, metas] of byProperty) {
    const parts: JsonSchema[] = [];
    let conditional = false;
    let skippedWhenAbsent = false;
    for (const meta of metas) {
      if (meta.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        conditional = true;
        if (skipsWhenAbsent(meta.constraints[0], name)) skippedWhenAbsent = true;
      } else {
        parts.push(constraintSchema(cls, meta));
      }
    }
    // class-validator validates a property only when all its @ValidateIf conditions hold; JSON
    // Schema can say "optional" (skipped when absent), not a condition on other fields.
    if (conditional && !skippedWhenAbsent) notExpressible.push(`${name}: validated only when an @ValidateIf condition holds`);
    if (!conditional) required.push(name);
    properties[name] = decorate(combine(parts), decorations.properties[name]);
  }

  const schema = decorate({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) }, decorations.self);
  if (notExpressible.length > 0) schema[CLASS_VALIDATOR_ONLY] = notExpressible;
  return schema;
}

/**
 * What class-transformer does to an instance of `cls` that JSON Schema cannot follow: every
 * reason makes the whole class {@link CLASS_VALIDATOR_ONLY}.
 */
function classTransformerReshaping(cls: PayloadClass, declared: readonly string[]): string[] {
  const reasons: string[] = [];
  if (transformerStorage.getStrategy(cls) !== 'none') reasons.push('class-transformer @Expose/@Exclude on the class choose the keys copied');
  for (const meta of [...transformerStorage.getExposedMetadatas(cls), ...transformerStorage.getExcludedMetadatas(cls)]) {
    if (meta.propertyName) reasons.push(`${meta.propertyName}: @Expose/@Exclude choose the keys class-transformer copies`);
  }
  const nested = new Set(validationMetadatas(cls).filter((meta) => meta.type === ValidationTypes.NESTED_VALIDATION).map((meta) => meta.propertyName));
  for (const name of declared) {
    if (transformerStorage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length > 0) {
      reasons.push(`${name}: @Transform changes the value before it is validated`);
    }
    const type = transformerStorage.findTypeMetadata(cls, name);
    if (type && !nested.has(name)) reasons.push(`${name}: @Type converts the value before it is validated`);
    if (type?.options?.discriminator) reasons.push(`${name}: @Type with a discriminator picks the class from the value`);
  }
  // class-validator validates the instance plainToInstance made: `new cls()` with the payload's
  // keys copied in. A value the instance has before (an initializer, a prototype member, which
  // class-transformer also refuses to overwrite) is validated where the payload has none, and a
  // field without decorators is refused by the whitelist in every payload.
  let blank: Record<string, unknown> | undefined;
  try {
    blank = new cls() as Record<string, unknown>;
  } catch (error) {
    reasons.push(`the class cannot be instantiated without arguments (${error instanceof Error ? error.message : String(error)})`);
  }
  if (blank) {
    const known = new Set(declared);
    for (const key of Object.keys(blank)) {
      if (!known.has(key)) reasons.push(`${key}: a field without validation decorators, which class-validator's whitelist refuses`);
    }
    for (const name of declared) {
      if (blank[name] !== undefined || name in cls.prototype) reasons.push(`${name}: has a value before the payload's is copied in`);
    }
  }
  return reasons;
}

/**
 * Whether class-validator skips the property when it is absent: the condition returns `false`
 * for an `undefined` value reading nothing but the (undefined) property itself. That covers
 * `Optional()` (`value !== undefined`) and class-validator's `@IsOptional()`; a condition
 * that reads anything else (other fields) cannot be said in JSON Schema.
 */
function skipsWhenAbsent(condition: unknown, property: string): boolean {
  if (typeof condition !== 'function') return false;
  const refuse = (): never => {
    throw new Error('the condition reads more than the property');
  };
  const probe = new Proxy(Object.create(null) as object, {
    get: (_target, key) => (key === property ? undefined : refuse()),
    has: refuse,
    ownKeys: refuse,
    getOwnPropertyDescriptor: refuse,
    getPrototypeOf: refuse,
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
  try {
    return (condition as (object: unknown, value: unknown) => unknown)(probe, undefined) === false;
  } catch {
    return false;
  }
}

/** `@JSONSchema()` (as `Describe`) of each property and of the class, through class-validator-jsonschema. */
function jsonSchemaDecorations(cls: PayloadClass, names: readonly string[]): { properties: Record<string, JsonSchema>; self: JsonSchema } {
  const NO_CONSTRAINT = 'x-no-constraint';
  const placeholders = names.map((propertyName) => ({ type: NO_CONSTRAINT, target: cls, propertyName, constraints: [], each: false }));
  const schema = (validationMetadataArrayToSchemas(placeholders as never, { additionalConverters: { [NO_CONSTRAINT]: {} } })[cls.name] ?? {}) as JsonSchema;
  const { properties, type: _type, required: _required, ...self } = schema;
  return { properties: (properties ?? {}) as Record<string, JsonSchema>, self };
}

// ---------------------------------------------------------------------------------------------
// One constraint

function constraintSchema(cls: PayloadClass, meta: ValidationMetadata): JsonSchema {
  const each = (schema: JsonSchema): JsonSchema => (meta.each ? { type: 'array', items: schema } : schema);
  switch (meta.type) {
    case ValidationTypes.WHITELIST: // @Allow(): no constraint
      return {};
    case ValidationTypes.IS_DEFINED: // not undefined (required) and not null
      return each({ not: { type: 'null' } });
    case ValidationTypes.NESTED_VALIDATION: {
      // An object validated as an instance of its @Type class (reachableClasses checked it has one).
      const nested = transformerStorage.findTypeMetadata(cls, meta.propertyName)!.typeFunction() as PayloadClass;
      return each({ $ref: `${DEFINITIONS_PREFIX}${nested.name}` });
    }
    case ValidationTypes.CUSTOM_VALIDATION: {
      const translate = meta.name === undefined ? undefined : CONSTRAINTS.get(meta.name);
      const schema = translate?.(meta.constraints ?? []);
      return each(schema ?? { [CLASS_VALIDATOR_ONLY]: [meta.name ?? meta.constraintCls?.name ?? 'a custom constraint'] });
    }
    default:
      return { [CLASS_VALIDATOR_ONLY]: [meta.type] };
  }
}
