import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import type { ServiceDefinition } from '../bootstrap/service-definition.js';
import { startTestService, type TestService } from './start-test-service.js';

/**
 * The boot check every service passes: started against its own nats-server and PGlite, it is live,
 * ready, serves HTTP and process metrics, and serves its OpenAPI document (the checked-in
 * `docs/openapi/<service>.json`) without a token.
 */
export function describeServiceBoot<C extends BaseServiceConfig>(definition: ServiceDefinition<C>): void {
  describe(`${definition.name} service boot`, () => {
    let nats: PlatformTestNats | undefined;
    let service: TestService<C> | undefined;

    beforeAll(async () => {
      nats = await startPlatformTestNats();
      service = await startTestService(definition, nats.envFor(definition.name));
    });
    afterAll(async () => {
      await service?.dispose();
      await nats?.dispose();
    });

    const get = (path: string) => fetch(`${service!.url}${path}`);

    it('answers GET /health/live with 200', async () => {
      const response = await get('/health/live');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('answers GET /health/ready with 200 once storage and NATS are up', async () => {
      const response = await get('/health/ready');
      expect(await response.json()).toMatchObject({ status: 'ready', checks: { storage: true, nats: true } });
      expect(response.status).toBe(200);
    });

    it('serves HTTP and process metrics on GET /metrics', async () => {
      const response = await get('/metrics');
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toMatch(/^http_requests_total\{method="GET",route="\/health\/live",status_code="200"\} \d+$/m);
      expect(body).toMatch(new RegExp(`^process_cpu_user_seconds_total\\{service="${definition.name}"\\} `, 'm'));
    });

    it('serves its OpenAPI document on GET /openapi.json without a token: docs/openapi/<service>.json', async () => {
      const response = await get('/openapi.json');
      expect(response.status).toBe(200);
      // libs/service-kit/{src,dist}/testing → the repository root
      const checkedIn = await readFile(new URL(`../../../../docs/openapi/${definition.name}.json`, import.meta.url), 'utf8');
      expect(await response.json(), 'stale: npm run openapi').toEqual(JSON.parse(checkedIn));
    });
  });
}
