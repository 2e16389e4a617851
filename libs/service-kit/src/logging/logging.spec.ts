import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { testAuth } from '../testing/test-auth.js';
import { capturedLines, WorkModule } from './logging.fixtures.js';

const auth = testAuth();
const authorization = auth.bearer(auth.operator('probe')).authorization;

describe('request logging', () => {
  const { destination, lines } = capturedLines();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(WorkModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'info', ...auth.env }), logDestination: destination });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
  });

  const linesFor = (id: string) => lines.filter((line) => (line['req'] as { id?: string } | undefined)?.id === id);

  it('writes JSON lines carrying the service and the correlation id of the request', async () => {
    await app.inject({ method: 'GET', url: '/work', headers: { authorization, 'x-correlation-id': 'corr-1' } });
    await expect.poll(() => linesFor('corr-1').map((line) => line['msg'])).toEqual(['working', 'request completed']);
    for (const line of linesFor('corr-1')) expect(line['service']).toBe('probe');
  });

  it('does not log probe and scrape requests', async () => {
    await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-correlation-id': 'probe-1' } });
    await app.inject({ method: 'GET', url: '/work', headers: { authorization, 'x-correlation-id': 'after-probe' } });
    await expect.poll(() => linesFor('after-probe').length).toBe(2);
    expect(linesFor('probe-1')).toEqual([]);
  });

  it('continues the caller’s trace: traceparent answered, trace and correlation ids on every line', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/work',
      headers: { authorization, 'x-correlation-id': 'corr-trace', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(response.headers['traceparent']).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-(?!b7ad6b7169203331)[0-9a-f]{16}-01$/);
    const spanId = String(response.headers['traceparent']).slice(36, 52);
    await expect.poll(() => linesFor('corr-trace').length).toBe(2);
    for (const line of linesFor('corr-trace')) expect(line).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId });
    expect(linesFor('corr-trace').find((line) => line['msg'] === 'working')).toMatchObject({ correlationId: 'corr-trace' });
  });

  it('starts a new trace for a request without one', async () => {
    const response = await app.inject({ method: 'GET', url: '/work', headers: { authorization, 'x-correlation-id': 'corr-new' } });
    expect(response.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    await expect.poll(() => linesFor('corr-new').length).toBe(2);
    expect(linesFor('corr-new')[0]!['traceId']).toBe(String(response.headers['traceparent']).slice(3, 35));
  });
});
