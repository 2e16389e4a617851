import { Module, ValidationPipe, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from '@fastify/helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { Registry } from 'prom-client';
import { AuthModule } from '../auth/auth.module.js';
import { TokenVerifier } from '../auth/token-verifier.js';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { correlationIdOf, registerCorrelationIdHeader } from '../logging/correlation-id.js';
import { registerHttpMetrics } from '../metrics/http.metrics.js';
import { createMetricsRegistry } from '../metrics/metrics.registry.js';
import { defaultPortOf, registerOpenApiRoute } from '../openapi/openapi-document.js';
import { ServiceKitModule } from '../service-kit.module.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { registerJsonOnlyHook } from './json-only.hook.js';
import { registerTraceContextHook } from './trace-context.hook.js';

/** Largest accepted request body; larger → 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export type ModuleEntry = Type<unknown> | DynamicModule;

export interface HttpAppOptions {
  readonly service: string;
  readonly config: Readonly<BaseServiceConfig>;
  /** Default: a new registry with the process defaults (`createMetricsRegistry`). */
  readonly metricsRegistry?: Registry;
  /** Where the JSON log lines go. Default: stdout. */
  readonly logDestination?: DestinationStream;
  /** The process's root logger (`createServiceLogger`; then `logDestination` is not used). Default: a new one. */
  readonly logger?: PinoLogger;
  /** More global modules to load before `module` (e.g. `ServiceResourcesModule`). */
  readonly imports?: readonly ModuleEntry[];
  /**
   * Nest's preview mode: modules and controllers are scanned, no provider is instantiated, nothing
   * is registered on Fastify. Only good for reading the app's structure (the OpenAPI generator).
   */
  readonly preview?: boolean;
}

@Module({})
class ServiceRootModule {}

/**
 * A NestJS app on Fastify with the platform's HTTP pipeline around `module`: JSON logging,
 * health and metrics routes, its OpenAPI document on `GET /openapi.json` (open, built from the
 * controllers), HTTP RED metrics, a 16 KiB body limit (413), JSON-only bodies (415),
 * whitelisting validation (400 with field messages) and `{statusCode,error,message}` errors,
 * bearer-token authentication of every other route (`AuthGuard`: 401/403; docs/security.md),
 * security headers (helmet) and request/connection/keep-alive timeouts from the config.
 * Not yet listening: call `app.listen()` (or `app.init()` and `app.inject()` in tests).
 *
 * @throws InvalidConfigError when no usable token verification key is configured (except in preview).
 */
export async function createHttpApp(module: ModuleEntry, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  // First: without a token verification key there is no app (there is no unauthenticated mode).
  const verifier = options.preview ? undefined : TokenVerifier.fromConfig(config);
  const metricsRegistry = options.metricsRegistry ?? createMetricsRegistry(options.service);
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      ServiceKitModule.forRoot({ service: options.service, config, metricsRegistry, logDestination: options.logDestination, logger: options.logger }),
      ...(verifier ? [AuthModule.forRoot(verifier)] : []),
      ...(options.imports ?? []),
      module,
    ],
  };
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: correlationIdOf,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bufferLogs: true,
    abortOnError: false,
    preview: options.preview,
  });
  if (options.preview) return app;
  app.useLogger(app.get(Logger));
  // Security headers on every answer (nosniff, frame denial, HSTS, no referrer, a strict CSP that
  // JSON never needs relaxed).
  await app.register(helmet);
  const fastify = app.getHttpAdapter().getInstance();
  registerCorrelationIdHeader(fastify);
  registerTraceContextHook(fastify);
  registerJsonOnlyHook(fastify);
  registerHttpMetrics(fastify, metricsRegistry);
  registerOpenApiRoute(app, { service: options.service, port: defaultPortOf(options.config) });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpExceptionFilter());
  return app;
}
