import { Module, ValidationPipe, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { correlationIdOf, registerCorrelationIdHeader } from '../logging/correlation-id.js';
import { registerHttpMetrics } from '../metrics/http.metrics.js';
import { createMetricsRegistry } from '../metrics/metrics.registry.js';
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
  /** More global modules to load before `module` (e.g. `ServiceResourcesModule`). */
  readonly imports?: readonly ModuleEntry[];
}

@Module({})
class ServiceRootModule {}

/**
 * A NestJS app on Fastify with the platform's HTTP pipeline around `module`: JSON logging,
 * health and metrics routes, HTTP RED metrics, a 16 KiB body limit (413), JSON-only bodies (415),
 * whitelisting validation (400 with field messages) and `{statusCode,error,message}` errors.
 * Not yet listening: call `app.listen()` (or `app.init()` and `app.inject()` in tests).
 */
export async function createHttpApp(module: ModuleEntry, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const metricsRegistry = options.metricsRegistry ?? createMetricsRegistry(options.service);
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [ServiceKitModule.forRoot({ service: options.service, config: options.config, metricsRegistry, logDestination: options.logDestination }), ...(options.imports ?? []), module],
  };
  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, genReqId: correlationIdOf }), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  registerCorrelationIdHeader(fastify);
  registerTraceContextHook(fastify);
  registerJsonOnlyHook(fastify);
  registerHttpMetrics(fastify, metricsRegistry);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpExceptionFilter());
  return app;
}
