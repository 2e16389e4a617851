import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { InvalidConfigError } from '@platform/events';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Read `ConfigClass` from the environment: only its declared (`@Expose()`d) keys are taken, values
 * are converted to the declared types, unset or empty keys keep their defaults, and the result is
 * validated and frozen.
 *
 * @throws InvalidConfigError naming the first bad key; its message lists every bad key.
 */
export function loadConfig<T extends object>(ConfigClass: new () => T, env: Env = process.env): Readonly<T> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const config = plainToInstance(ConfigClass, present, {
    enableImplicitConversion: true,
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: false });
  const [first, ...others] = errors;
  if (first) {
    const rest = others.map((error) => `${error.property}: ${describe(error)}`);
    const message = describe(first) + (rest.length > 0 ? `; also invalid: ${rest.join(', ')}` : '');
    throw new InvalidConfigError(first.property, message);
  }
  return Object.freeze(config);
}

// Values of keys that may carry credentials are never echoed.
const SECRET_KEY = /URL|PASSWORD|SECRET|TOKEN|CREDS/i;

function describe(error: ValidationError): string {
  const problems = Object.values(error.constraints ?? {}).join(', ');
  if (SECRET_KEY.test(error.property)) return problems;
  return `${problems} (got ${JSON.stringify(error.value) ?? 'nothing'})`;
}
