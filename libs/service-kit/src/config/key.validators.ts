import { ValidateBy, type ValidationArguments } from 'class-validator';

// Validators that relate one config key to another, shared by the concerns' config classes.

/** Whether a key counts as set (an empty value does not). */
export const present = (value: unknown) => value !== undefined && value !== null && value !== '';

/** This key is set only together with `other` (both or neither). */
export function RequiresKey(other: string) {
  return ValidateBy({
    name: 'requiresKey',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => present((args?.object as Record<string, unknown>)[other]),
      defaultMessage: () => `set without ${other} (both or neither)`,
    },
  });
}

/** This key and `other` are alternatives: set only one of them. */
export function NotWithKey(other: string) {
  return ValidateBy({
    name: 'notWithKey',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => !present((args?.object as Record<string, unknown>)[other]),
      defaultMessage: (args?: ValidationArguments) => `set only one of ${args?.property} and ${other}`,
    },
  });
}

/**
 * This number key is at least the value of the number key `other` (a retention that must outlast
 * another one). Skipped while either is not a number: their own validators report that.
 */
export function AtLeastKey(other: string) {
  const boundOf = (args?: ValidationArguments) => (args?.object as Record<string, unknown> | undefined)?.[other];
  return ValidateBy({
    name: 'atLeastKey',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const bound = boundOf(args);
        return typeof value !== 'number' || typeof bound !== 'number' || value >= bound;
      },
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be at least ${other} (${String(boundOf(args))})`,
    },
  });
}
