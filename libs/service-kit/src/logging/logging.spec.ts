import { Controller, Get, Logger, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';

@Controller('work')
class WorkController {
  private readonly logger = new Logger(WorkController.name);

  @Get()
  work(): { done: true } {
    this.logger.log('working');
    return { done: true };
  }
}

@Module({ controllers: [WorkController] })
class WorkModule {}

describe('request logging', () => {
  const lines: Array<Record<string, unknown>> = [];
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    app = await createHttpApp(WorkModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'info' }), logDestination: destination });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
  });

  const linesFor = (id: string) => lines.filter((line) => (line['req'] as { id?: string } | undefined)?.id === id);

  it('writes JSON lines carrying the service and the correlation id of the request', async () => {
    await app.inject({ method: 'GET', url: '/work', headers: { 'x-correlation-id': 'corr-1' } });
    await expect.poll(() => linesFor('corr-1').map((line) => line['msg'])).toEqual(['working', 'request completed']);
    for (const line of linesFor('corr-1')) expect(line['service']).toBe('probe');
  });

  it('does not log probe and scrape requests', async () => {
    await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-correlation-id': 'probe-1' } });
    await app.inject({ method: 'GET', url: '/work', headers: { 'x-correlation-id': 'after-probe' } });
    await expect.poll(() => linesFor('after-probe').length).toBe(2);
    expect(linesFor('probe-1')).toEqual([]);
  });
});
