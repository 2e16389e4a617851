import type { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { ErrorBodySchema } from '../http/error-body.js';
import {
  BEARER_SCHEME,
  CUSTOMER_SCOPE_EXTENSION,
  ERROR_DESCRIPTIONS,
  ROLES_EXTENSION,
  TENANT_HEADER_DESCRIPTION,
  TENANT_HEADER_NAME,
} from './openapi.decorators.js';
import { TENANT_ID_PATTERN } from '@platform/events';
import { IS_PUBLIC_KEY, ROLES_KEY } from '../auth/auth.decorators.js';
import { Role, ROLES } from '../auth/principal.js';

/** Where every service serves its OpenAPI document (no token needed). */
export const OPENAPI_PATH = '/openapi.json';
/** `info.version` of the documents: the version of the HTTP contract (design brief §6); bump it with the contract. */
export const HTTP_API_VERSION = '1.0.0';
/** The OpenAPI version the documents are written in. */
export const OPENAPI_VERSION = '3.1.0';
/** The metadata key of the auth guard's `@Roles(...)` that the documents read (`x-roles`). */
export const ROLES_METADATA_KEY = ROLES_KEY;

export interface OpenApiDocumentOptions {
  /** Lower-case service name (`order`). */
  readonly service: string;
  /** The service's default port, for the `http://localhost:<port>` server entry. */
  readonly port: number;
}

type Json = Record<string, unknown>;
interface OperationObject extends Json {
  operationId?: string;
  description?: string;
  parameters?: Json[];
  responses?: Record<string, Json>;
  security?: Array<Record<string, string[]>>;
  tags?: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI 3.1 document of a service's HTTP API, generated from its controllers and DTOs
 * (`@nestjs/swagger` decorators; no compiler plugin): the JWT bearer scheme, the `X-Tenant-Id`
 * header parameter, the shared `ErrorBody` schema, the roles of each operation (`x-roles` and a
 * sentence in its description), and `GET /openapi.json` itself. Works on a started app and on one
 * created in preview mode (no providers instantiated, see `createOpenApiDocument`). Keys are
 * sorted, so the same code always gives the same document.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiDocumentOptions): OpenAPIObject {
  const { service } = options;
  const config = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle(`${service} service`)
    .setDescription(
      `HTTP API of the ${service} service of the platform. Every operation on tenant data needs \`Authorization: Bearer <JWT>\` ` +
        'and the tenant (`X-Tenant-Id`, or the tenant of the token); every error is `{statusCode,error,message}` (`ErrorBody`). ' +
        '`/health/*`, `/metrics` and `/openapi.json` are open.',
    )
    .setVersion(HTTP_API_VERSION)
    .addServer('/', 'The service that serves this document')
    .addServer(`http://localhost:${options.port}`, `The ${service} service on its default port (npm start)`)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT of the platform issuer naming the tenant and the role (`customer` or `operator`).' },
      BEARER_SCHEME,
    )
    .build();
  const document: OpenAPIObject = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorBodySchema],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  applyAuthMetadata(document, app);
  for (const operation of operationsOf(document)) {
    useTenantParameterRef(operation);
    describeRoles(operation);
  }
  (document.paths as Record<string, unknown>)[OPENAPI_PATH] = { get: openApiOperation() };
  document.components = {
    ...document.components,
    parameters: {
      ...document.components?.parameters,
      TenantId: { name: TENANT_HEADER_NAME, in: 'header', required: false, description: TENANT_HEADER_DESCRIPTION, schema: { type: 'string', pattern: TENANT_ID_PATTERN.source } },
    },
  };
  const tagNames = [...new Set(operationsOf(document).flatMap((operation) => operation.tags ?? []))].sort();
  document.tags = tagNames.map((name) => ({ name, ...(document.tags?.find((tag) => tag.name === name) ?? {}) }));
  return sortKeys(document) as OpenAPIObject;
}

/** The document as checked into `docs/openapi/<service>.json`: sorted keys, 2-space indent, trailing newline. */
export function renderOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/** The default port of a config (its class's initialiser of `PORT`), whatever `PORT` this process runs on. */
export function defaultPortOf(config: Readonly<BaseServiceConfig>): number {
  const ConfigClass = Object.getPrototypeOf(config).constructor as new () => BaseServiceConfig;
  return new ConfigClass().PORT;
}

export function operationsOf(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) => HTTP_METHODS.map((method) => (item as Json)[method] as OperationObject | undefined).filter((op) => op !== undefined));
}

/**
 * What the auth guard enforces, from its metadata: every route not marked `@Public()` needs a
 * bearer token (security requirement, `X-Tenant-Id`, 400/401/403 and 503 when tokens cannot be
 * verified), and its roles are those of `@Roles(...)` on the handler or controller, else those
 * documented with `ApiProtected`, else any platform role.
 */
function applyAuthMetadata(document: OpenAPIObject, app: INestApplication): void {
  const byId = new Map(operationsOf(document).map((operation) => [operation.operationId, operation]));
  for (const { controller, handler, method } of routesOf(app)) {
    const operation = byId.get(`${controller.name.replace(/Controller$/, '')}_${method}`);
    if (!operation || metadataOf<boolean>(IS_PUBLIC_KEY, handler, controller) === true) continue;
    const required = metadataOf<string[]>(ROLES_KEY, handler, controller);
    if (required && required.length > 0) operation[ROLES_EXTENSION] = [...required];
    else operation[ROLES_EXTENSION] ??= [...ROLES];
    operation.security ??= [{ [BEARER_SCHEME]: [] }];
    operation.parameters ??= [];
    if (!operation.parameters.some(isTenantHeader)) operation.parameters.unshift({ $ref: '#/components/parameters/TenantId' });
    operation.responses ??= {};
    for (const status of [400, 401, 403]) operation.responses[String(status)] ??= errorResponse(ERROR_DESCRIPTIONS[status]!);
    operation.responses['503'] ??= errorResponse('Tokens cannot be verified at the moment (the key set is unreachable); retry later.');
  }
}

/** Like the guard's `Reflector.getAllAndOverride`: the handler's metadata, else the controller's. */
function metadataOf<T>(key: string, handler: object, controller: Type<unknown>): T | undefined {
  return (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as T | undefined;
}

function isTenantHeader(parameter: Json): boolean {
  return parameter.$ref === '#/components/parameters/TenantId' || (parameter.in === 'header' && String(parameter.name).toLowerCase() === TENANT_HEADER_NAME.toLowerCase());
}

export interface ControllerRoute {
  readonly controller: Type<unknown>;
  readonly method: string;
  readonly handler: object;
  /** `GET`, `POST`, … */
  readonly httpMethod: string;
  /** The OpenAPI path (`/orders/{id}`). */
  readonly path: string;
}

const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

/** Every HTTP route of every controller of the app (event handlers have no path and are left out). */
export function routesOf(app: INestApplication): ControllerRoute[] {
  const container = (app as unknown as { container: { getModules(): Map<string, { controllers: Map<unknown, { metatype: Type<unknown> | null }> }> } }).container;
  const routes: ControllerRoute[] = [];
  for (const module of container.getModules().values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (!controller) continue;
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = Object.getOwnPropertyDescriptor(controller.prototype, method)?.value;
        if (method === 'constructor' || typeof handler !== 'function') continue;
        const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        const requestMethod: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (path === undefined || typeof requestMethod !== 'number') continue;
        const paths = Array.isArray(path) ? path : [path];
        for (const one of paths) {
          const joined = `/${[prefix, String(one)].map((part) => part.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
          routes.push({ controller, method, handler, httpMethod: REQUEST_METHODS[requestMethod] ?? String(requestMethod), path: joined.replace(/:(\w+)/g, '{$1}') });
        }
      }
    }
  }
  return routes;
}

function useTenantParameterRef(operation: OperationObject): void {
  if (!operation.parameters) return;
  operation.parameters = operation.parameters.map((parameter) => (isTenantHeader(parameter) ? { $ref: '#/components/parameters/TenantId' } : parameter));
}

function describeRoles(operation: OperationObject): void {
  const roles = operation[ROLES_EXTENSION] as string[] | undefined;
  if (!roles) return;
  const scope = operation[CUSTOMER_SCOPE_EXTENSION] as string | undefined;
  const named = roles.map((role) => (role === Role.Customer && scope ? `\`${role}\` (${scope})` : `\`${role}\``));
  const sentence = `Roles: ${named.join(' or ')}.`;
  operation.description = operation.description ? `${operation.description}\n\n${sentence}` : sentence;
}

function errorResponse(description: string): Json {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };
}

function openApiOperation(): OperationObject {
  return {
    operationId: 'OpenApi_document',
    tags: ['openapi'],
    summary: 'This OpenAPI document',
    description: 'The OpenAPI 3.1 document of this service (the file `docs/openapi/<service>.json` of the repository). Open: no token needed.',
    responses: { '200': { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } } },
  };
}

/** A copy with every object's keys sorted (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => (value as Json)[key] !== undefined)
      .map((key) => [key, sortKeys((value as Json)[key])]),
  );
}

/**
 * Serves `GET /openapi.json` on the app's Fastify instance, outside the Nest pipeline (no guard,
 * no token: the document is public like `/health/*` and `/metrics`). Built on the first request,
 * once every controller is registered, and cached.
 */
export function registerOpenApiRoute(app: INestApplication, options: OpenApiDocumentOptions): void {
  let body: string | undefined;
  const fastify = app.getHttpAdapter().getInstance() as {
    get(path: string, handler: (request: unknown, reply: { type(value: string): { send(payload: string): unknown } }) => unknown): void;
  };
  fastify.get(OPENAPI_PATH, (_request, reply) => {
    body ??= renderOpenApiDocument(buildOpenApiDocument(app, options));
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
