import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BaseServiceConfig } from './config/base-service.config.js';
import { HealthController } from './health/health.controller.js';
import { ReadinessRegistry } from './health/readiness.registry.js';
import { serviceLoggerModule } from './logging/logger.module.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { METRICS_REGISTRY, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

export interface ServiceKitModuleOptions {
  readonly service: string;
  readonly config: Readonly<BaseServiceConfig>;
  readonly metricsRegistry: Registry;
  /** Where the JSON log lines go. Default: stdout. */
  readonly logDestination?: DestinationStream;
  /** The process's root logger (then `logDestination` is not used). Default: a new one. */
  readonly logger?: Logger;
}

/**
 * The cross-cutting parts of a service's HTTP side: JSON logging, `/health/*`, `/metrics`.
 * Global: business modules inject `SERVICE_NAME`, `SERVICE_CONFIG`, `METRICS_REGISTRY` and
 * `ReadinessRegistry` without importing it.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitModuleOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      imports: [serviceLoggerModule({ service: options.service, level: options.config.LOG_LEVEL, destination: options.logDestination, logger: options.logger })],
      controllers: [HealthController, MetricsController],
      providers: [
        ReadinessRegistry,
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: METRICS_REGISTRY, useValue: options.metricsRegistry },
      ],
      exports: [ReadinessRegistry, SERVICE_NAME, SERVICE_CONFIG, METRICS_REGISTRY],
    };
  }
}
