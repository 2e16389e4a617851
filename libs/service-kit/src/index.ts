/**
 * @platform/service-kit — what every platform service shares: typed config, JSON logging,
 * health and metrics routes, the HTTP pipeline, and a graceful bootstrap. Test helpers live in
 * `@platform/service-kit/testing`.
 */

// Config
export { AtLeastKey, BaseServiceConfig, defaultDataDir, LogLevel } from './config/base-service.config.js';
export { loadConfig } from './config/load-config.js';

// Injection tokens and modules
export { DATABASE, EVENTS_RUNTIME, METRICS_REGISTRY, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';
export { ServiceKitModule, type ServiceKitModuleOptions } from './service-kit.module.js';
export { ServiceResourcesModule, type ServiceResources } from './service-resources.module.js';
export { ConsumerControl, EventOutbox, EventStreams, type EmitContext } from './events/event-outbox.js';

// Logging
export { CORRELATION_ID_HEADER, CORRELATION_ID_PATTERN, correlationIdOf } from './logging/correlation-id.js';
export { serviceLoggerModule, type ServiceLoggerOptions } from './logging/logger.module.js';
export { createServiceLogger } from './logging/service-logger.js';

// Health
export { HealthController, type ReadinessBody } from './health/health.controller.js';
export { READINESS_CHECK_TIMEOUT_MS, ReadinessRegistry, type ReadinessCheck, type ReadinessReport } from './health/readiness.registry.js';

// Metrics
export { createMetricsRegistry } from './metrics/metrics.registry.js';
export { HttpMetricName, registerHttpMetrics, UNMATCHED_ROUTE } from './metrics/http.metrics.js';
export { MetricsController } from './metrics/metrics.controller.js';

// HTTP
export { BODY_LIMIT_BYTES, createHttpApp, type HttpAppOptions, type ModuleEntry } from './http/create-http-app.js';
export { errorBody, ErrorBodySchema, type ErrorBody } from './http/error-body.js';
export { HttpExceptionFilter } from './http/http-exception.filter.js';
export { TENANT_ID_HEADER, TenantId, tenantIdOf } from './http/tenant-id.decorator.js';

// Authentication and authorization (docs/security.md)
export { IS_PUBLIC_KEY, Principal, Public, Roles, ROLES_KEY } from './auth/auth.decorators.js';
export { AuthGuard } from './auth/auth.guard.js';
export { AuthModule } from './auth/auth.module.js';
export { loadPublicKeyFile, parseAlgorithms, SUPPORTED_ALGORITHMS, type LocalPublicKey, type SupportedAlgorithm } from './auth/auth-keys.js';
export { customerScopeOf, isOperator, principalOf, Role, ROLES } from './auth/principal.js';
export {
  assertAuthConfigured,
  AUTH_CLOCK_TOLERANCE_S,
  ROLES_CLAIM,
  TENANT_CLAIM,
  TokenRejectedError,
  TokenVerificationUnavailableError,
  TokenVerifier,
} from './auth/token-verifier.js';

// OpenAPI (docs/api.md)
export {
  ApiErrorResponses,
  ApiProtected,
  ApiTenantHeader,
  BEARER_SCHEME,
  CUSTOMER_SCOPE_EXTENSION,
  ERROR_DESCRIPTIONS,
  ROLES_EXTENSION,
  TENANT_HEADER_NAME,
  MAX_PAGE_LIMIT,
  PageLimit,
  type ApiErrorStatus,
  type ApiProtectedOptions,
} from './openapi/openapi.decorators.js';
export {
  buildOpenApiDocument,
  HTTP_API_VERSION,
  OPENAPI_PATH,
  OPENAPI_VERSION,
  operationsOf,
  renderOpenApiDocument,
  ROLES_METADATA_KEY,
  routesOf,
  type ControllerRoute,
  type OpenApiDocumentOptions,
} from './openapi/openapi-document.js';
export { createOpenApiDocument, createOpenApiPreviewApp } from './openapi/openapi-preview.js';

// Bootstrap
export { bootstrapService, EXIT_INVALID_CONFIG } from './bootstrap/bootstrap-service.js';
export { natsOptionsOf, startService, type RunningService } from './bootstrap/start-service.js';
export { PeriodicSweeper } from './bootstrap/periodic-sweeper.js';
export type { ServiceContext, ServiceDefinition } from './bootstrap/service-definition.js';
export { requestEventContext, type RequestEventContext } from './http/request-event-context.js';
export { counterIn, gaugeIn, histogramIn } from './metrics/business-metrics.js';

// Payment-token sealing (order seals, payment opens; docs/services.md, "The payment token")
export {
  generatePaymentTokenKeys,
  IsPaymentTokenKeys,
  PAYMENT_TOKEN_KEYS,
  PaymentTokenSealer,
  paymentTokenSealerProvider,
  paymentTokenKeysProblem,
  PaymentTokenUnsealError,
  type SealingContext,
} from './sealing/payment-token-sealer.js';
