// npm start's services: their environment, the six processes with prefixed output, and the
// readiness report once every one answers /health/ready.
import { join } from 'node:path';
import type { PlatformService } from '@platform/contracts';
import { devAuthEnv } from '../dev-auth.js';
import { ensurePaymentTokenKey } from '../dev-secrets.js';
import { ManagedProcess, type Readiness } from '../../e2e/harness/process-runner.js';
import { reportNatsAccess, type StartNats, withNatsIdentity } from './nats.js';
import { DATA_DIR, DEFAULT_PORTS, PER_SERVICE_KEYS, READY_TIMEOUT_MS, root, say, type StartSettings } from './settings.js';

const COLOURS = [36, 33, 35, 32, 34, 31];

export interface RunningService {
  readonly name: PlatformService;
  readonly port: number;
  readonly process: ManagedProcess;
}

function serviceEnv(settings: StartSettings): NodeJS.ProcessEnv {
  // HTTP auth: the public half of the development signing key (.data/auth, created once; tokens from
  // `npm run token`), unless the environment names its own key (AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE).
  const env: NodeJS.ProcessEnv = { ...process.env, ...devAuthEnv(DATA_DIR) };
  // One machine, six services: per-service settings would collide, so each uses its own defaults
  // (its port, PGlite under .data/<service>).
  for (const key of settings.ignoredServiceKeys) say(`ignoring ${key} from the environment: each service uses its own default`);
  for (const key of PER_SERVICE_KEYS) delete env[key];
  return env;
}

/** Spawn `services` (apps/<service>/dist/main.js), each in its own process group, output prefixed `[name]`. */
export function startServices(settings: StartSettings, nats: StartNats, services: readonly PlatformService[]): RunningService[] {
  // The card token sealing key goes to order and payment only.
  const { PAYMENT_TOKEN_KEYS: _sealingKeys, ...env } = serviceEnv(settings);
  const paymentTokenEnv = ensurePaymentTokenKey(DATA_DIR);
  const width = Math.max(...services.map((name) => name.length)) + 2;
  return services.map((name, index) => {
    const label = `[${name}]`.padEnd(width);
    const prefix = settings.colour ? `\x1b[${COLOURS[index % COLOURS.length]}m${label}\x1b[0m` : label;
    const child = ManagedProcess.spawn({
      name,
      command: process.execPath,
      args: [join(root, 'apps', name, 'dist', 'main.js')],
      cwd: root,
      env: withNatsIdentity(nats, name === 'order' || name === 'payment' ? { ...env, ...paymentTokenEnv } : env, name),
      output: { prefix },
    });
    return { name, port: DEFAULT_PORTS[name], process: child };
  });
}

/** Wait until every service answers /health/ready (or `READY_TIMEOUT_MS` passed), then say where everything is. */
export async function reportReadiness(services: readonly RunningService[], nats: StartNats, stopping: AbortSignal): Promise<void> {
  const results = await Promise.all(
    services.map(async (service): Promise<[RunningService, Readiness]> => [
      service,
      await service.process.waitUntilReady({ url: `http://127.0.0.1:${service.port}/health/ready`, timeoutMs: READY_TIMEOUT_MS, intervalMs: 500, requestTimeoutMs: 1000, signal: stopping }),
    ]),
  );
  if (stopping.aborted) return;
  const notReady = (readiness: Readiness) => results.filter(([, result]) => result === readiness).map(([service]) => service.name);
  if (notReady('timeout').length > 0) say(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${notReady('timeout').join(', ')}`);
  if (notReady('exited').length > 0) say(`not ready: ${notReady('exited').join(', ')} exited`);
  if (results.some(([, result]) => result !== 'ready')) return;
  say('all services are ready:');
  for (const { name, port } of services) say(`  ${name.padEnd(13)} http://127.0.0.1:${port}  (/health/ready, /metrics)`);
  reportNatsAccess(nats);
  say('Ctrl-C stops everything.');
}
