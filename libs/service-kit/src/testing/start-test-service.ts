import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import type { ServiceDefinition } from '../bootstrap/service-definition.js';
import { startService, type RunningService } from '../bootstrap/start-service.js';
import { generatePaymentTokenKeys } from '../sealing/payment-token-sealer.js';
import { testAuth } from './test-auth.js';

/**
 * A `PAYMENT_TOKEN_KEYS` value generated once per test process: every service a test starts gets
 * it (order seals and payment opens with the same key), and a test sealing tokens itself uses it.
 */
export const TEST_PAYMENT_TOKEN_KEYS = generatePaymentTokenKeys('test');

export interface TestService<C extends BaseServiceConfig = BaseServiceConfig> extends RunningService<C> {
  /** Close the service and delete its temporary data folder. */
  dispose(): Promise<void>;
}

/**
 * Start a service in-process for a test: PGlite in a fresh temporary `DATA_DIR`, a free port on
 * 127.0.0.1, logs at `error` and above, `PAYMENT_TOKEN_KEYS` = {@link TEST_PAYMENT_TOKEN_KEYS},
 * the `AUTH_*` keys of {@link testAuth} (mint accepted tokens with `testAuth().operator(tenant)`).
 * `env` overrides any of that (e.g. `NATS_URL`).
 */
export async function startTestService<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
  env: Readonly<Record<string, string>> = {},
): Promise<TestService<C>> {
  const dataDir = await mkdtemp(join(tmpdir(), `${definition.name}-test-`));
  try {
    const config = loadConfig(definition.configClass, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', DATA_DIR: dataDir, PAYMENT_TOKEN_KEYS: TEST_PAYMENT_TOKEN_KEYS, ...testAuth().env, ...env });
    const service = await startService(definition, config);
    return {
      ...service,
      dispose: async () => {
        await service.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
