import { readFile } from 'node:fs/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import {
  BEARER_SCHEME,
  buildOpenApiDocument,
  createOpenApiPreviewApp,
  OPENAPI_PATH,
  OPENAPI_VERSION,
  renderOpenApiDocument,
  routesOf,
  type ControllerRoute,
  type ServiceDefinition,
} from '@platform/service-kit';
import { PlatformService } from '@platform/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsService } from '../apps/analytics/src/service.definition.js';
import { inventoryService } from '../apps/inventory/src/service.definition.js';
import { loyaltyService } from '../apps/loyalty/src/service.definition.js';
import { notificationService } from '../apps/notification/src/service.definition.js';
import { orderService } from '../apps/order/src/service.definition.js';
import { paymentService } from '../apps/payment/src/service.definition.js';

// The OpenAPI documents of the six services (docs/openapi/<service>.json, `npm run openapi`), built
// from the sources as `tools/openapi.ts` builds them from dist: current, complete, and protected.
const services: ServiceDefinition<any>[] = [analyticsService, inventoryService, loyaltyService, notificationService, orderService, paymentService];
const OPEN_PATHS = [/^\/health\//, /^\/metrics$/, new RegExp(`^${OPENAPI_PATH.replace('.', '\\.')}$`)];
const ERROR_BODY = '#/components/schemas/ErrorBody';

describe('the services of the OpenAPI documents', () => {
  it('are those of PlatformService, each definition exported as `<service>Service` (what tools/openapi.ts imports from apps/<service>/dist)', () => {
    expect(services.map((definition) => definition.name).sort()).toEqual(Object.values(PlatformService).sort());
    // the imports above are by name: each service.definition.ts exports `<service>Service`
    const exported: Record<string, ServiceDefinition<any> | undefined> = { analyticsService, inventoryService, loyaltyService, notificationService, orderService, paymentService };
    for (const service of Object.values(PlatformService)) expect(exported[`${service}Service`]?.name, `${service}Service`).toBe(service);
  });
});

describe.each(services.map((definition) => [definition.name, definition] as const))('the OpenAPI document of %s', (name, definition) => {
  let app: NestFastifyApplication;
  let document: OpenAPIObject;
  let routes: ControllerRoute[];

  beforeAll(async () => {
    app = await createOpenApiPreviewApp(definition);
    document = buildOpenApiDocument(app, { service: name, port: new definition.configClass().PORT });
    routes = routesOf(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Record<string, unknown>>).map(([method, operation]) => ({ path, method, operation })),
    );

  it('is the checked-in docs/openapi file (else: npm run openapi)', async () => {
    const file = await readFile(new URL(`../docs/openapi/${name}.json`, import.meta.url), 'utf8');
    expect(renderOpenApiDocument(document)).toBe(file);
  });

  it('is OpenAPI 3.1 with the JWT bearer scheme and the X-Tenant-Id parameter', () => {
    expect(document.openapi).toBe(OPENAPI_VERSION);
    expect(document.info.title).toBe(`${name} service`);
    expect(document.components?.securitySchemes?.[BEARER_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(document.components?.parameters?.TenantId).toMatchObject({ name: 'X-Tenant-Id', in: 'header' });
    expect(document.components?.schemas?.ErrorBody).toMatchObject({ required: ['statusCode', 'error', 'message'] });
  });

  it('has every route of every controller, and nothing else but /openapi.json', () => {
    expect(routes.length).toBeGreaterThan(3);
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    const declared = routes.map((route) => `${route.httpMethod} ${route.path}`);
    expect([...documented].sort()).toEqual([...declared, `GET ${OPENAPI_PATH}`].sort());
  });

  it('documents every operation: summary, tag and a success response', () => {
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.summary, where).toEqual(expect.any(String));
      expect(operation.tags, where).toHaveLength(1);
      expect(Object.keys(operation.responses as object).some((status) => /^2\d\d$/.test(status)), where).toBe(true);
    }
  });

  it('requires the bearer token, names the roles and documents errors with ErrorBody on every operation but health, metrics and itself', () => {
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      const responses = operation.responses as Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
      if (OPEN_PATHS.some((open) => open.test(path))) {
        expect(operation.security, where).toBeUndefined();
        continue;
      }
      expect(operation.security, where).toEqual([{ [BEARER_SCHEME]: [] }]);
      expect(operation['x-roles'], where).toEqual(expect.arrayContaining([expect.stringMatching(/^(customer|operator)$/)]));
      expect(operation.description, where).toMatch(/Roles: /);
      expect(operation.parameters, where).toContainEqual({ $ref: '#/components/parameters/TenantId' });
      for (const status of ['400', '401', '403']) expect(Object.keys(responses), where).toContain(status);
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) expect(response.content?.['application/json']?.schema?.$ref, `${where} ${status}`).toBe(ERROR_BODY);
      }
    }
  });
});

describe('the roles of the OpenAPI documents (design brief §6, §7)', () => {
  const rolesOf = async (definition: (typeof services)[number]) => {
    const app = await createOpenApiPreviewApp(definition);
    try {
      const document = buildOpenApiDocument(app, { service: definition.name, port: 1 });
      return Object.fromEntries(
        Object.entries(document.paths).flatMap(([path, item]) =>
          Object.entries(item as Record<string, Record<string, unknown>>).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation['x-roles']]),
        ),
      );
    } finally {
      await app.close();
    }
  };

  it('gives catalogue writes, payments and analytics to operators, the rest to both roles', async () => {
    const roles = Object.assign({}, ...(await Promise.all(services.map(rolesOf))));
    const operatorOnly = ['PUT /products/{sku}', 'GET /payments', 'GET /analytics/summary', 'POST /analytics/rebuild'];
    for (const operation of operatorOnly) expect(roles[operation], operation).toEqual(['operator']);
    for (const operation of ['POST /orders', 'GET /orders', 'GET /orders/{id}', 'GET /products', 'GET /products/{sku}', 'GET /notifications', 'GET /loyalty/{customerId}']) {
      expect([...roles[operation]].sort(), operation).toEqual(['customer', 'operator']);
    }
  });
});
