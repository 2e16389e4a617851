import { InvalidConfigError } from '@platform/events';
import { loadConfig } from '../config/load-config.js';

/** The InvalidConfigError `loadConfig(ConfigClass, env)` throws; fails the test when it accepts `env` or throws anything else. */
export function loadConfigError<T extends object>(ConfigClass: new () => T, env: Readonly<Record<string, string>>): InvalidConfigError {
  try {
    loadConfig(ConfigClass, env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}
