import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { testAuth } from '../testing/test-auth.js';
import { METRICS_REGISTRY } from '../tokens.js';

@Controller('things')
class ThingsController {
  @Get(':id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('metrics', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(ThingsModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal', ...testAuth().env }) });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
  });

  const requestCounts = async (): Promise<Array<Record<string, string | number>>> => {
    const metric = await app.get<Registry>(METRICS_REGISTRY).getSingleMetric('http_requests_total')!.get();
    return metric.values.map((v) => ({ ...(v.labels as Record<string, string>), value: v.value }));
  };

  it('serves the registry in the Prometheus text format, with process defaults labelled by service', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toMatch(/^process_cpu_user_seconds_total\{service="probe"\} /m);
  });

  it('labels requests with the matched route pattern, never the raw URL', async () => {
    await app.inject({ method: 'GET', url: '/health/ready?probe=1' });
    await app.inject({ method: 'GET', url: '/things/a-1', headers: testAuth().bearer(testAuth().operator('probe')) });
    await app.inject({ method: 'GET', url: '/things/b-2', headers: testAuth().bearer(testAuth().operator('probe')) });
    await app.inject({ method: 'GET', url: '/no/such/route/42' });
    const counts = await requestCounts();
    expect(counts).toContainEqual({ method: 'GET', route: '/health/ready', status_code: '200', value: 1 });
    expect(counts).toContainEqual({ method: 'GET', route: '/things/:id', status_code: '200', value: 2 });
    expect(counts).toContainEqual({ method: 'GET', route: 'unmatched', status_code: '404', value: 1 });
    expect(counts.map((c) => c.route)).not.toContain('/things/a-1');
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/things\/:id",status_code="200"\} 2$/m);
  });
});
