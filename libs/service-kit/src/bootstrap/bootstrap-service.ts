import { InvalidConfigError } from '@platform/events';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createServiceLogger } from '../logging/service-logger.js';
import type { ServiceDefinition } from './service-definition.js';
import { startService, type RunningService } from './start-service.js';

/** Exit code of a start refused for bad configuration; 1 is any other failure. */
export const EXIT_INVALID_CONFIG = 2;

/**
 * Run a service as the process's main program: load and validate its config from the environment
 * (bad config: one line on stderr naming the key, exit 2), start it, and on SIGTERM/SIGINT drain it
 * (not ready → HTTP closed → events runtime → storage) and exit 0. When draining takes longer than
 * `SHUTDOWN_TIMEOUT_MS` the process exits with 1; a failed start logs the cause and exits 1.
 */
export async function bootstrapService<C extends BaseServiceConfig>(definition: ServiceDefinition<C>): Promise<RunningService<C>> {
  const config = loadConfigOrExit(definition);
  // The process's one root logger: the HTTP side, the events library and the tracer write through it.
  const log = createServiceLogger({ service: definition.name, level: config.LOG_LEVEL });
  const storage = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.DATA_DIR}`;
  log.info(`${definition.name} starting: storage ${storage}, NATS ${config.NATS_URL}`);
  let service: RunningService<C>;
  try {
    service = await startService(definition, config, { logger: log });
  } catch (error) {
    if (error instanceof InvalidConfigError) exitOnInvalidConfig(definition.name, error);
    log.fatal({ err: error }, `${definition.name} failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${definition.name} draining on ${signal}`);
    setTimeout(() => {
      log.error(`${definition.name} did not stop within SHUTDOWN_TIMEOUT_MS=${config.SHUTDOWN_TIMEOUT_MS}; exiting`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    service.close().then(
      () => {
        log.info(`${definition.name} stopped`);
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, `${definition.name} failed to stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return service;
}

function loadConfigOrExit<C extends BaseServiceConfig>(definition: ServiceDefinition<C>): Readonly<C> {
  try {
    return loadConfig(definition.configClass);
  } catch (error) {
    if (error instanceof InvalidConfigError) exitOnInvalidConfig(definition.name, error);
    throw error;
  }
}

function exitOnInvalidConfig(service: string, error: InvalidConfigError): never {
  process.stderr.write(`${service}: ${error.message}\n`);
  process.exit(EXIT_INVALID_CONFIG);
}
