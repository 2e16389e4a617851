import { Body, Controller, Get, Module, Param, Post, Put } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Public, Roles } from '../auth/auth.decorators.js';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { TenantId } from '../http/tenant-id.decorator.js';
import { testAuth } from '../testing/test-auth.js';
import { buildOpenApiDocument, OPENAPI_PATH, renderOpenApiDocument, routesOf } from './openapi-document.js';
import { ApiErrorResponses, ApiProtected } from './openapi.decorators.js';

class ThingBody {
  @ApiProperty({ type: 'string' })
  @IsString()
  name!: string;
}

@ApiTags('things')
@Controller('things')
class ThingsController {
  @Get(':id')
  @ApiOperation({ summary: 'One thing' })
  @ApiProtected({ customerScope: 'its own things' })
  @ApiOkResponse({ type: ThingBody })
  @ApiErrorResponses(404)
  get(@TenantId() _tenant: string, @Param('id') id: string): ThingBody {
    return { name: id };
  }

  @Put(':id')
  @Roles('operator')
  @ApiOperation({ summary: 'Change a thing', description: 'Replaces it.' })
  @ApiErrorResponses([403, 'Not an operator.'])
  put(@Param('id') _id: string, @Body() body: ThingBody): ThingBody {
    return body;
  }

  @Post()
  @ApiOperation({ summary: 'Not documented as protected: the guard still protects it' })
  create(@Body() body: ThingBody): ThingBody {
    return body;
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Public' })
  list(): ThingBody[] {
    return [];
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

const errorRef = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };

describe('buildOpenApiDocument', () => {
  const auth = testAuth();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(ThingsModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal', PORT: '0', ...auth.env }) });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const document = () => buildOpenApiDocument(app, { service: 'probe', port: 3999 });

  it('serves the document on GET /openapi.json without a token, as rendered by the builder', async () => {
    const response = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    // the default port of the config class (3000), not the one the app runs on
    expect(response.body).toBe(renderOpenApiDocument(buildOpenApiDocument(app, { service: 'probe', port: 3000 })));
    expect(response.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'probe service', version: expect.any(String) } });
  });

  it('documents every route not marked @Public() as protected, with the X-Tenant-Id parameter and the auth errors', () => {
    const { paths } = document();
    for (const operation of [paths['/things/{id}']!.get!, paths['/things/{id}']!.put!, paths['/things']!.post!]) {
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/TenantId' });
      for (const status of ['400', '401', '403', '503']) expect(operation.responses[status]).toMatchObject(errorRef);
    }
    expect(paths['/things']!.get!.security).toBeUndefined();
    expect(paths['/things']!.get!.parameters ?? []).not.toContainEqual({ $ref: '#/components/parameters/TenantId' });
  });

  it("takes the roles from the guard's @Roles(), else any role, and names them in the description", () => {
    const { paths } = document();
    const put = paths['/things/{id}']!.put! as unknown as Record<string, unknown>;
    expect(put['x-roles']).toEqual(['operator']);
    expect(put.description).toBe('Replaces it.\n\nRoles: `operator`.');
    const get = paths['/things/{id}']!.get! as unknown as Record<string, unknown>;
    expect(get['x-roles']).toEqual(['customer', 'operator']);
    expect(get.description).toBe('Roles: `customer` (its own things) or `operator`.');
  });

  it('keeps route-specific error descriptions, all with the shared ErrorBody schema', () => {
    const { paths, components } = document();
    expect(paths['/things/{id}']!.put!.responses['403']).toMatchObject({ description: 'Not an operator.', ...errorRef });
    expect(paths['/things/{id}']!.get!.responses['404']).toMatchObject(errorRef);
    expect(components?.schemas?.ErrorBody).toMatchObject({ type: 'object', required: ['statusCode', 'error', 'message'] });
  });

  it('lists the routes of the controllers (and the kit health and metrics routes)', () => {
    const routes = routesOf(app).map((route) => `${route.httpMethod} ${route.path}`);
    expect(routes).toEqual(expect.arrayContaining(['GET /things/{id}', 'PUT /things/{id}', 'POST /things', 'GET /things', 'GET /health/live', 'GET /health/ready', 'GET /metrics']));
  });

  it('renders the same bytes every time: sorted keys and a trailing newline', () => {
    const rendered = renderOpenApiDocument(document());
    expect(rendered).toBe(renderOpenApiDocument(document()));
    expect(rendered.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(rendered))).toEqual(['components', 'info', 'openapi', 'paths', 'servers', 'tags']);
  });
});
