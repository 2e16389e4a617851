import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from './create-http-app.js';
import { testAuth } from '../testing/test-auth.js';
import { TenantId } from './tenant-id.decorator.js';

const auth = testAuth();
const authorization = auth.bearer(auth.operator('acme-1')).authorization;

class ItemDto {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  @Max(100)
  quantity!: number;
}

@Controller()
class ProbeController {
  @Post('items')
  create(@Body() item: ItemDto): ItemDto {
    return item;
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }

  @Get('tenant')
  tenant(@TenantId() tenantId: string): { tenantId: string } {
    return { tenantId };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('createHttpApp', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(ProbeModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal', ...auth.env }) });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/items', payload, headers: { authorization, 'content-type': contentType } });

  it('accepts a valid JSON body', async () => {
    const response = await post(JSON.stringify({ sku: 'SKU-1', quantity: 2 }));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ sku: 'SKU-1', quantity: 2 });
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const response = await post(JSON.stringify({ sku: 'x'.repeat(17 * 1024), quantity: 1 }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await post('sku=a&quantity=1', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
  });

  it('answers 400 with one message per bad or unknown field', async () => {
    const response = await post(JSON.stringify({ sku: 7, quantity: 0, admin: true }));
    expect(response.statusCode).toBe(400);
    const body = response.json<{ statusCode: number; error: string; message: string[] }>();
    expect(body.error).toBe('Bad Request');
    expect(body.message).toEqual(
      expect.arrayContaining(['sku must be a string', 'quantity must not be less than 1', 'property admin should not exist']),
    );
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await post('{"sku":');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/nowhere', headers: { authorization } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('hides the details and stack of a server error', async () => {
    const response = await app.inject({ method: 'GET', url: '/boom', headers: { authorization } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(response.body).not.toMatch(/hunter2|at .*\.ts/);
  });

  it.each([
    ['an empty', ''],
    ['an upper case', 'Acme'],
    ['a too long', 'a'.repeat(64)],
  ])('answers 400 for %s X-Tenant-Id', async (_case, tenant) => {
    const response = await app.inject({ method: 'GET', url: '/tenant', headers: { authorization, 'x-tenant-id': tenant } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('X-Tenant-Id') });
  });

  it('passes a valid X-Tenant-Id that matches the token to the handler', async () => {
    const response = await app.inject({ method: 'GET', url: '/tenant', headers: { authorization, 'x-tenant-id': 'acme-1' } });
    expect(response.json()).toEqual({ tenantId: 'acme-1' });
  });

  it('takes the tenant from the token when X-Tenant-Id is absent', async () => {
    const response = await app.inject({ method: 'GET', url: '/tenant', headers: { authorization } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ tenantId: 'acme-1' });
  });

  it('answers 403 for an X-Tenant-Id that disagrees with the token', async () => {
    const response = await app.inject({ method: 'GET', url: '/tenant', headers: { authorization, 'x-tenant-id': 'other' } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('X-Tenant-Id other does not match') });
  });

  it('echoes a valid X-Correlation-Id and issues one otherwise', async () => {
    const echoed = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-correlation-id': 'abc-123' } });
    expect(echoed.headers['x-correlation-id']).toBe('abc-123');
    const issued = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-correlation-id': 'bad id\twith spaces' } });
    expect(issued.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
