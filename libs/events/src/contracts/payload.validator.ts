import 'reflect-metadata';
import { plainToInstance, TransformationType } from 'class-transformer';
import {
  getMetadataStorage,
  validateSync,
  ValidationTypes,
  type ValidationArguments,
  type ValidationError,
  type ValidatorOptions,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { isJsonObject, preview } from '../envelope/envelope-attributes.js';
import type { ValidationIssue } from '../errors.js';
import { transformerStorage } from './class-transformer-storage.js';
import type { PayloadClass } from './define-event.js';

const VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  // Errors must not hold the payload: they end up in logs and dead-letter records.
  validationError: { target: false, value: false },
});

/** Keys class-transformer silently skips, so whitelisting alone would not report them. */
const SKIPPED_KEYS = ['__proto__', 'constructor'] as const;

/**
 * Validates plain JSON payloads against a class-validator payload class, fast.
 *
 * class-validator is the authority: its verdict and its messages are what callers see. But it
 * costs tens of microseconds per payload (class-transformer instantiation, metadata lookups on
 * every call), and validation runs on every publish and every consume. So the first use
 * compiles the class's metadata into a plan that calls the very same constraint functions
 * directly on the plain object; when the plan accepts, the payload is valid and class-validator
 * is not run. When the plan rejects, or the class uses anything the plan does not model
 * (groups, async or `@IsDefined` validators, `@Transform`/`@Expose`/`@Exclude`, nesting without
 * `@Type`), class-validator runs and decides. The plan is sound by construction: it only
 * accepts what class-validator accepts (a differential spec checks this on mutated payloads).
 */
export class PayloadValidator {
  private plan: ClassPlan | null | undefined;

  constructor(readonly payload: PayloadClass) {}

  /** The issues of `data` (empty when valid), with dotted paths (`items.0.quantity`). */
  validate(data: unknown): ValidationIssue[] {
    if (!isJsonObject(data)) return [{ property: '(root)', messages: [`payload must be a JSON object, got ${preview(data)}`] }];
    if (this.fastAccepts(data)) return [];
    return this.authoritativeIssues(data);
  }

  /** `true` when the compiled plan accepts `data`; `false` when it cannot (class-validator must decide). */
  fastAccepts(data: Record<string, unknown>): boolean {
    if (this.plan === undefined) this.plan = compileClass(this.payload, new Map());
    return this.plan !== null && accepts(this.plan, data);
  }

  /**
   * class-validator's verdict, plus the `__proto__`/`constructor` keys it cannot see. Never
   * throws: a payload that crashes class-transformer (it does on some `constructor` keys) is
   * reported as an issue.
   */
  authoritativeIssues(data: Record<string, unknown>): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    collectSkippedKeys(data, '', issues);
    // class-transformer would skip these keys, or crash on them; they are refused anyway.
    if (issues.length > 0) return issues;
    try {
      flattenErrors(validateSync(plainToInstance(this.payload, data) as object, VALIDATOR_OPTIONS), '', issues);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      issues.push({ property: '(root)', messages: [`payload could not be validated: ${reason}`] });
    }
    return issues;
  }
}

// ---------------------------------------------------------------------------------------------
// The compiled plan

interface Check {
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
  readonly metadata: ValidationMetadata;
}

interface PropertyPlan {
  readonly name: string;
  readonly targetName: string;
  readonly conditions: readonly ((object: unknown, value: unknown) => boolean)[];
  readonly checks: readonly Check[];
  /** Set when the property is `@ValidateNested()` with `@Type(() => Class)`. */
  nested?: ClassPlan;
}

interface ClassPlan {
  readonly allowed: ReadonlySet<string>;
  readonly properties: readonly PropertyPlan[];
}

const SUPPORTED_TYPES = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
]);

/** The plan of a class, or `null` when it uses something the plan does not model. */
function compileClass(cls: PayloadClass, compiling: Map<PayloadClass, ClassPlan>): ClassPlan | null {
  const inProgress = compiling.get(cls);
  if (inProgress) return inProgress;
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false);
  if (metadatas.length === 0) return null;
  if (transformerStorage.getStrategy(cls) !== 'none' || transformerStorage.getExposedMetadatas(cls).length > 0) return null;
  if (transformerStorage.getExcludedMetadatas(cls).length > 0) return null;

  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of metadatas) {
    if (!SUPPORTED_TYPES.has(metadata.type) || (metadata.groups && metadata.groups.length > 0) || metadata.always) return null;
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }

  // class-validator validates an instance: a field initializer or a prototype getter would give
  // a missing key a value the plain object does not have.
  const blank = new cls() as Record<string, unknown>;
  for (const name of byProperty.keys()) if (blank[name] !== undefined) return null;

  const properties: PropertyPlan[] = [];
  const plan: ClassPlan = { allowed: new Set(byProperty.keys()), properties };
  compiling.set(cls, plan);
  for (const [name, list] of byProperty) {
    if (transformerStorage.findTransformMetadatas(cls, name, TransformationType.PLAIN_TO_CLASS).length > 0) return null;
    const property: PropertyPlan = { name, targetName: cls.name, conditions: [], checks: [] };
    for (const metadata of list) {
      if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        (property.conditions as ((object: unknown, value: unknown) => boolean)[]).push(metadata.constraints[0]);
      } else if (metadata.type === ValidationTypes.CUSTOM_VALIDATION) {
        for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
          if (constraint.async) return null;
          const instance = constraint.instance as { validate: Check['validate'] };
          (property.checks as Check[]).push({ validate: instance.validate.bind(instance), metadata });
        }
      } else if (metadata.type === ValidationTypes.NESTED_VALIDATION) {
        const typeMetadata = transformerStorage.findTypeMetadata(cls, name);
        if (!typeMetadata || typeMetadata.options?.discriminator) return null;
        const nestedClass = typeMetadata.typeFunction() as PayloadClass;
        const nested = typeof nestedClass === 'function' ? compileClass(nestedClass, compiling) : null;
        if (!nested) return null;
        property.nested = nested;
      }
    }
    properties.push(property);
  }
  return plan;
}

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

function accepts(plan: ClassPlan, object: Record<string, unknown>): boolean {
  for (const key in object) {
    if (!plan.allowed.has(key)) return false;
  }
  if (Object.hasOwn(object, '__proto__')) return false;
  for (const property of plan.properties) {
    // class-transformer copies own enumerable keys only; read the same view of the object.
    const value = propertyIsEnumerable.call(object, property.name) ? object[property.name] : undefined;
    if (!conditionsHold(property, object, value)) continue;
    if (property.checks.length > 0) {
      const args: ValidationArguments = { targetName: property.targetName, property: property.name, object, value, constraints: [] };
      for (const check of property.checks) {
        const { metadata } = check;
        if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
        args.constraints = metadata.constraints;
        // `!== true` (not falsiness) sends anything unusual, a Promise included, to class-validator.
        if (metadata.each && Array.isArray(value)) {
          for (const item of value) if (check.validate(item, args) !== true) return false;
        } else if (check.validate(value, args) !== true) {
          return false;
        }
      }
    }
    if (property.nested && value !== undefined) {
      if (Array.isArray(value)) {
        for (const item of value) if (!isJsonObject(item) || !accepts(property.nested, item)) return false;
      } else if (!isJsonObject(value) || !accepts(property.nested, value)) {
        return false;
      }
    }
  }
  return true;
}

function conditionsHold(property: PropertyPlan, object: unknown, value: unknown): boolean {
  for (const condition of property.conditions) if (!condition(object, value)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Issues from class-validator

function flattenErrors(errors: readonly ValidationError[], prefix: string, issues: ValidationIssue[]): void {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) issues.push({ property: path, messages: Object.values(error.constraints) });
    if (error.children && error.children.length > 0) flattenErrors(error.children, path, issues);
  }
}

function collectSkippedKeys(value: unknown, prefix: string, issues: ValidationIssue[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collectSkippedKeys(value[i], prefix ? `${prefix}.${i}` : String(i), issues);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const key of SKIPPED_KEYS) {
    if (Object.hasOwn(value, key)) issues.push({ property: prefix ? `${prefix}.${key}` : key, messages: [`property ${key} should not exist`] });
  }
  for (const key in value) {
    const child = value[key];
    if (typeof child === 'object' && child !== null) collectSkippedKeys(child, prefix ? `${prefix}.${key}` : key, issues);
  }
}
