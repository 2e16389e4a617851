import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { testAuth } from '../testing/test-auth.js';
import { ReadinessRegistry } from './readiness.registry.js';

@Module({})
class EmptyModule {}

describe('health routes', () => {
  let app: NestFastifyApplication;
  let readiness: ReadinessRegistry;

  beforeEach(async () => {
    app = await createHttpApp(EmptyModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal', ...testAuth().env }) });
    await app.init();
    readiness = app.get(ReadinessRegistry);
  });
  afterEach(async () => {
    await app?.close();
  });

  const ready = () => app.inject({ method: 'GET', url: '/health/ready' });

  it('GET /health/live answers 200 {status:"ok"}', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready answers 200 with every check when all pass', async () => {
    readiness.register('storage', () => true);
    readiness.register('nats', async () => true);
    const response = await ready();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { storage: true, nats: true } });
  });

  it('GET /health/ready answers 503 naming the failing check, including one that throws', async () => {
    readiness.register('storage', () => true);
    readiness.register('nats', () => false);
    readiness.register('cache', () => {
      throw new Error('down');
    });
    const response = await ready();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not_ready', checks: { storage: true, nats: false, cache: false } });
  });

  it('GET /health/ready answers 503 while draining, whatever the checks say', async () => {
    readiness.register('storage', () => true);
    readiness.setDraining();
    const response = await ready();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'not_ready', draining: true });
  });
});
