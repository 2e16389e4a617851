import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidConfigError } from '@platform/events';
import { startService } from '../bootstrap/start-service.js';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { TenantId } from '../http/tenant-id.decorator.js';
import { loadConfigError } from '../testing/config-error.js';
import { createTestAuth, signJwt, testAuth } from '../testing/test-auth.js';
import { Principal, Roles } from './auth.decorators.js';
import { Role } from './principal.js';
import { AUTH_CLOCK_TOLERANCE_S, TokenRejectedError, TokenVerifier } from './token-verifier.js';

@Controller('probe')
class ProbeController {
  @Get('me')
  me(@Principal() principal: Principal): Principal {
    return principal;
  }

  @Get('tenant')
  tenant(@TenantId() tenantId: string): { tenantId: string } {
    return { tenantId };
  }

  @Get('ops')
  @Roles(Role.Operator)
  ops(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const TENANT = 'acme';

/** An app of ProbeModule listening on 127.0.0.1 (real HTTP: fetch, sockets, headers). */
async function listen(env: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await createHttpApp(ProbeModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal', ...env }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

const expect401 = async (response: Response, message: RegExp) => {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect(await response.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(message) });
};

describe('bearer token authentication (local public key file)', () => {
  const auth = testAuth();
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listen(auth.env));
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });
  const withToken = (path: string, token: string, headers: Record<string, string> = {}) => get(path, { ...auth.bearer(token), ...headers });

  it('answers 401 with the error body and WWW-Authenticate: Bearer without a token', async () => {
    await expect401(await get('/probe/me'), /missing bearer token/);
    await expect401(await get('/probe/tenant', { 'x-tenant-id': TENANT }), /missing bearer token/);
  });

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bearer that is no JWT', 'Bearer not-a-jwt'],
    ['a JWT of garbage', 'Bearer aaaa.bbbb.cccc'],
  ])('answers 401 for %s', async (_case, authorization) => {
    await expect401(await get('/probe/me', { authorization }), /malformed|invalid token/);
  });

  it('answers 401 for a token signed by another key', async () => {
    const other = createTestAuth();
    try {
      await expect401(await withToken('/probe/me', other.operator(TENANT)), /bad signature/);
    } finally {
      other.dispose();
    }
  });

  it('answers 401 for a wrong issuer, a wrong audience, an expired token and one not valid yet', async () => {
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], issuer: 'someone-else' })), /iss claim/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], audience: 'another-api' })), /aud claim/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], ttlSeconds: -120 })), /token expired/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], notBeforeSeconds: 120 })), /nbf claim/);
  });

  it('tolerates a little clock skew on exp', async () => {
    expect((await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], ttlSeconds: -5 }))).status).toBe(200);
  });

  it('answers 401 for a token without exp, sub, tenant or with malformed roles', async () => {
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], claims: { exp: undefined } })), /exp claim/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], claims: { sub: undefined } })), /sub claim/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], claims: { tenant: undefined } })), /tenant claim/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: 'Not A Tenant', roles: ['operator'] })), /tenant claim/);
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], claims: { roles: 'operator' } })), /roles claim/);
  });

  it('answers 401 for an algorithm other than the key’s (alg confusion, none)', async () => {
    await expect401(await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['operator'], alg: 'HS256' })), /algorithm not allowed|invalid token/);
    const unsigned = auth.token({ tenant: TENANT, roles: ['operator'], alg: 'none' }).replace(/\.[^.]+$/, '.');
    await expect401(await get('/probe/me', { authorization: `Bearer ${unsigned}x` }), /invalid token|malformed/);
  });

  it('gives the handler the principal of a valid token', async () => {
    const response = await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['customer', 'auditor'], sub: 'c-42' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'c-42', tenant: TENANT, roles: ['customer'] });
  });

  it('takes the tenant from the token, accepts a matching X-Tenant-Id and refuses a disagreeing one with 403', async () => {
    const token = auth.operator(TENANT);
    expect(await (await withToken('/probe/tenant', token)).json()).toEqual({ tenantId: TENANT });
    expect(await (await withToken('/probe/tenant', token, { 'x-tenant-id': TENANT })).json()).toEqual({ tenantId: TENANT });
    const foreign = await withToken('/probe/tenant', token, { 'x-tenant-id': 'globex' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'X-Tenant-Id globex does not match the tenant of the token (acme)' });
    const malformed = await withToken('/probe/tenant', token, { 'x-tenant-id': 'ACME!' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ statusCode: 400, message: expect.stringContaining('X-Tenant-Id') });
  });

  it('answers 403 on an operator route for a customer, 200 for an operator', async () => {
    const customer = await withToken('/probe/ops', auth.customer(TENANT, 'c-1'));
    expect(customer.status).toBe(403);
    expect(await customer.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this endpoint needs the operator role' });
    expect((await withToken('/probe/ops', auth.operator(TENANT))).status).toBe(200);
  });

  it('answers 403 for a token without any platform role', async () => {
    const response = await withToken('/probe/me', auth.token({ tenant: TENANT, roles: ['auditor'] }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('no platform role') });
  });

  it('keeps health and metrics open without a token', async () => {
    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/health/ready')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('sends helmet’s security headers, on answers and refusals alike', async () => {
    for (const response of [await withToken('/probe/me', auth.operator(TENANT)), await get('/probe/me'), await get('/health/live')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('applies the configured HTTP timeouts to the server', async () => {
    const { app: timed } = await listen({ ...auth.env, HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_CONNECTION_TIMEOUT_MS: '7000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '9000' });
    try {
      const server = timed.getHttpServer();
      expect([server.requestTimeout, server.timeout, server.keepAliveTimeout]).toEqual([5000, 7000, 9000]);
    } finally {
      await timed.close();
    }
  });
});

describe('bearer token authentication (JWKS)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwksServer: Server;
  let jwksUrl: string;
  let app: NestFastifyApplication;
  let url: string;
  const token = (kid: string) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt({ iss: 'https://idp.example', aud: 'platform-api', sub: 'op-1', tenant: TENANT, roles: ['operator'], exp: now + 60 }, privateKey, { kid });
  };

  beforeAll(async () => {
    jwksServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    ({ app, url } = await listen({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'platform-api' }));
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it('verifies a token against the key of its kid in the JWKS', async () => {
    const response = await fetch(`${url}/probe/me`, { headers: { authorization: `Bearer ${token('k1')}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'op-1', tenant: TENANT, roles: ['operator'] });
  });

  it('answers 401 for a kid the JWKS does not have', async () => {
    await expect401(await fetch(`${url}/probe/me`, { headers: { authorization: `Bearer ${token('unknown')}` } }), /no matching signing key/);
  });

  it('answers 503 (not 401) while the JWKS cannot be fetched', async () => {
    const { app: orphan, url: orphanUrl } = await listen({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'platform-api' });
    try {
      const response = await fetch(`${orphanUrl}/probe/me`, { headers: { authorization: `Bearer ${token('k1')}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    } finally {
      await orphan.close();
    }
  });
});

describe('auth configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('refuses to create an app without a verification key, naming both keys', async () => {
    const error = await createHttpApp(ProbeModule, { service: 'probe', config: loadConfig(BaseServiceConfig, { LOG_LEVEL: 'fatal' }) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).message).toMatch(/AUTH_JWKS_URL.*AUTH_PUBLIC_KEY_FILE/);
  });

  it('refuses to start a service without a verification key, before opening storage or NATS', async () => {
    const dataDir = join(dir, 'never-created');
    const definition = { name: 'probe', module: ProbeModule, configClass: BaseServiceConfig } as unknown as Parameters<typeof startService>[0];
    const error = await startService(definition, loadConfig(BaseServiceConfig, { DATA_DIR: dataDir, NATS_URL: 'nats://127.0.0.1:1' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).key).toBe('AUTH_JWKS_URL');
    expect((error as InvalidConfigError).message).toMatch(/AUTH_PUBLIC_KEY_FILE/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses both key sources at once', () => {
    const error = loadConfigError(BaseServiceConfig, { AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_PUBLIC_KEY_FILE: testAuth().publicKeyFile });
    expect(error.message).toMatch(/set only one of AUTH_JWKS_URL and AUTH_PUBLIC_KEY_FILE/);
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.jwk'), /does not exist/],
    ['a private JWK', () => file('private.jwk', JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }))), /private key/],
    ['a private PEM', () => file('private.pem', generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), /private key/],
    ['garbage', () => file('garbage.txt', 'hello'), /neither a JSON Web Key nor a PEM/],
    ['a key of an algorithm not allowed', () => file('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }) as string), /RS256.*does not allow/],
  ])('refuses AUTH_PUBLIC_KEY_FILE with %s, naming the key', (_case, path, message) => {
    const error = loadConfigError(BaseServiceConfig, { AUTH_PUBLIC_KEY_FILE: path() });
    expect(error.key).toBe('AUTH_PUBLIC_KEY_FILE');
    expect(error.message).toMatch(message);
  });

  it('accepts a PEM public key (P-256)', () => {
    const pem = file('p256.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string);
    expect(loadConfig(BaseServiceConfig, { AUTH_PUBLIC_KEY_FILE: pem }).AUTH_PUBLIC_KEY_FILE).toBe(pem);
  });

  it.each([
    ['AUTH_JWKS_URL', 'http://idp.example/jwks', /https/],
    ['AUTH_JWKS_URL', 'not a url', /https/],
    ['AUTH_ALGORITHMS', 'HS256', /HS256 is not one of/],
    ['AUTH_ALGORITHMS', 'none', /none is not one of/],
    ['HTTP_REQUEST_TIMEOUT_MS', '10', /HTTP_REQUEST_TIMEOUT_MS/],
  ])('refuses %s=%s naming the key', (key, value, message) => {
    const error = loadConfigError(BaseServiceConfig, { ...testAuth().env, [key]: value });
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });
});

describe('TokenVerifier reuse of a verified token', () => {
  const auth = createTestAuth();
  afterAll(() => auth.dispose());
  const verifier = () => TokenVerifier.fromConfig(loadConfig(BaseServiceConfig, { ...auth.env }));

  it('answers a token it verified before with the same principal, and checks its expiry at every use', async () => {
    const sut = verifier();
    const token = auth.token({ tenant: TENANT, roles: [Role.Operator], ttlSeconds: 60 });
    const first = await sut.verify(token);
    expect(await sut.verify(token)).toBe(first);
    vi.useFakeTimers({ now: Date.now() + (60 + AUTH_CLOCK_TOLERANCE_S + 1) * 1000 });
    try {
      await expect(sut.verify(token)).rejects.toThrow(TokenRejectedError);
      await expect(sut.verify(token)).rejects.toThrow(/expired/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never remembers a refused token', async () => {
    const sut = verifier();
    const forged = createTestAuth().token({ tenant: TENANT, roles: [Role.Operator] });
    await expect(sut.verify(forged)).rejects.toThrow(/bad signature/);
    await expect(sut.verify(forged)).rejects.toThrow(/bad signature/);
  });
});
