import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ServiceDefinition } from '../bootstrap/service-definition.js';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { createHttpApp } from '../http/create-http-app.js';
import { ServiceResourcesModule, type ServiceResources } from '../service-resources.module.js';
import { buildOpenApiDocument } from './openapi-document.js';

/**
 * The document of a service without starting it: its app is created in Nest's preview mode (modules
 * and controllers scanned, no provider instantiated), so no NATS, storage or config is needed —
 * the config class's defaults stand in, and the storage and events runtime are empty stand-ins (preview mode still checks that every dependency has a provider). What
 * `GET /openapi.json` of the running service serves.
 */
export async function createOpenApiDocument<C extends BaseServiceConfig>(definition: ServiceDefinition<C>): Promise<OpenAPIObject> {
  const app = await createOpenApiPreviewApp(definition);
  try {
    return buildOpenApiDocument(app, { service: definition.name, port: new definition.configClass().PORT });
  } finally {
    await app.close();
  }
}

/** The service's app in preview mode, as {@link createOpenApiDocument} reads it (close it after use). */
export function createOpenApiPreviewApp<C extends BaseServiceConfig>(definition: ServiceDefinition<C>): Promise<NestFastifyApplication> {
  return createHttpApp(definition.module, {
    service: definition.name,
    config: new definition.configClass(),
    preview: true,
    imports: [ServiceResourcesModule.forRoot(unavailableResources())],
  });
}


/** Empty stand-ins: a preview app never instantiates the providers that would use them. */
function unavailableResources(): ServiceResources {
  return { db: Object.freeze({}) as ServiceResources['db'], runtime: Object.freeze({}) as ServiceResources['runtime'] };
}
