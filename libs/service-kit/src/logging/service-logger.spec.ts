import { describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { testAuth } from '../testing/test-auth.js';
import { capturedLines, WorkModule } from './logging.fixtures.js';
import { createServiceLogger } from './service-logger.js';

// A file of its own: nestjs-pino keeps one root logger per process (module state), made by the
// first app created; logging.spec.ts's app would otherwise be that one.
const auth = testAuth();
const authorization = auth.bearer(auth.operator('probe')).authorization;

describe('one root logger per process', () => {
  it('the app writes through the root logger it is given; the library’s child logger writes to the same stream', async () => {
    const { destination, lines } = capturedLines();
    const root = createServiceLogger({ service: 'probe', level: 'info' as BaseServiceConfig['LOG_LEVEL'], destination });
    const app = await createHttpApp(WorkModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal', ...auth.env }), logger: root });
    try {
      await app.init();
      await app.inject({ method: 'GET', url: '/work', headers: { authorization, 'x-correlation-id': 'root-1' } });
      root.child({ context: 'events' }).info('consumer started');
      await expect.poll(() => lines.map((line) => line['msg'])).toEqual(expect.arrayContaining(['working', 'request completed', 'consumer started']));
      // The root's level (info) decides, not the config's LOG_LEVEL passed to the app (fatal).
      const completed = lines.find((line) => line['msg'] === 'request completed')!;
      expect(completed).toMatchObject({ service: 'probe', pid: process.pid, req: { id: 'root-1' } });
      expect((completed['req'] as { headers: Record<string, unknown> }).headers['authorization']).toBe('[Redacted]');
      expect(lines.find((line) => line['msg'] === 'consumer started')).toMatchObject({ service: 'probe', pid: process.pid, context: 'events' });
    } finally {
      await app.close();
    }
  });
});
