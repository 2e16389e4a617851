/**
 * @platform/service-kit — what every platform service shares: typed config, JSON logging,
 * health and metrics routes, the HTTP pipeline, and a graceful bootstrap. Test helpers live in
 * `@platform/service-kit/testing`.
 */

// Config
export { BaseServiceConfig, defaultDataDir, LogLevel } from './config/base-service.config.js';
export { loadConfig } from './config/load-config.js';

// Injection tokens and modules
export { DATABASE, EVENTS_RUNTIME, METRICS_REGISTRY, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';
export { ServiceKitModule, type ServiceKitModuleOptions } from './service-kit.module.js';
export { ServiceResourcesModule, type ServiceResources } from './service-resources.module.js';

// Logging
export { CORRELATION_ID_HEADER, CORRELATION_ID_PATTERN, correlationIdOf } from './logging/correlation-id.js';
export { serviceLoggerModule, type ServiceLoggerOptions } from './logging/logger.module.js';

// Health
export { HealthController, type ReadinessBody } from './health/health.controller.js';
export { READINESS_CHECK_TIMEOUT_MS, ReadinessRegistry, type ReadinessCheck, type ReadinessReport } from './health/readiness.registry.js';

// Metrics
export { createMetricsRegistry } from './metrics/metrics.registry.js';
export { HttpMetricName, registerHttpMetrics, UNMATCHED_ROUTE } from './metrics/http.metrics.js';
export { MetricsController } from './metrics/metrics.controller.js';

// HTTP
export { BODY_LIMIT_BYTES, createHttpApp, type HttpAppOptions, type ModuleEntry } from './http/create-http-app.js';
export { errorBody, type ErrorBody } from './http/error-body.js';
export { HttpExceptionFilter } from './http/http-exception.filter.js';
export { TENANT_ID_HEADER, TenantId, tenantIdOf } from './http/tenant-id.decorator.js';

// Bootstrap
export { bootstrapService, EXIT_INVALID_CONFIG } from './bootstrap/bootstrap-service.js';
export { startService, type RunningService } from './bootstrap/start-service.js';
export type { ServiceContext, ServiceDefinition } from './bootstrap/service-definition.js';
export { requestEventContext, type RequestEventContext } from './http/request-event-context.js';
export { counterIn, gaugeIn, histogramIn } from './metrics/business-metrics.js';
