import { randomUUID } from 'node:crypto';
import { diag, DiagLogLevel, trace, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, emptyResource, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { BaseServiceConfig } from '../config/base-service.config.js';

/** Longest wait for the last spans to be exported when a service closes, milliseconds. */
export const TRACING_SHUTDOWN_TIMEOUT_MS = 5_000;

/** What tracing writes to the service's log (a pino logger fits). */
export interface TracingLogger {
  info(message: string): void;
  warn(object: object, message: string): void;
}

/** Span export over OTLP, registered as the process's tracer provider. */
export interface OtlpTracing {
  /** Where spans are POSTed (`<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). */
  readonly url: string;
  /** The resource every span carries: `service.name`, `service.instance.id`, `telemetry.sdk.*`, `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly resource: Resource;
  /** Export the spans still queued and stop exporting; gives up after {@link TRACING_SHUTDOWN_TIMEOUT_MS}. Idempotent. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL of a base endpoint, as the OpenTelemetry spec derives it (`<endpoint>/v1/traces`). */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.endsWith('/') ? endpoint : `${endpoint}/`}v1/traces`;
}

/**
 * When `OTEL_EXPORTER_OTLP_ENDPOINT` is set, register an OpenTelemetry SDK tracer provider that
 * exports every span over OTLP/HTTP (JSON) in batches, so the hops `@platform/events` starts
 * through the API (HTTP requests, consumed messages) are recorded and exported. Unset: nothing is
 * registered and the API stays a no-op (undefined is returned).
 *
 * Only the tracer provider is registered: the context manager stays the AsyncLocalStorage one of
 * `enableTraceContext`, and trace ids keep flowing in `traceparent` headers as before. The SDK's
 * own environment handling applies: `OTEL_TRACES_SAMPLER`/`_ARG` (default parent-based always-on),
 * `OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_HEADERS`/`_TIMEOUT`/`_TRACES_*`, `OTEL_RESOURCE_ATTRIBUTES`.
 *
 * A process has one tracer provider: when one is registered already (an SDK preloaded with
 * `node --import`, or an earlier service in the same process), that one is kept, this logs a
 * warning and returns undefined.
 */
export function startOtlpTracing(
  service: string,
  config: Readonly<Pick<BaseServiceConfig, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>>,
  logger: TracingLogger,
  env: Readonly<Record<string, string | undefined>> = process.env,
): OtlpTracing | undefined {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  // Later merges win: the service's name and a fresh instance id, then OTEL_RESOURCE_ATTRIBUTES and
  // OTEL_SERVICE_NAME from the environment, then the config's OTEL_SERVICE_NAME.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, [ATTR_SERVICE_INSTANCE_ID]: randomUUID() }))
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(config.OTEL_SERVICE_NAME ? resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }) : emptyResource());
  // The signal-specific endpoint, when set, takes precedence and is used as is (per the spec).
  const url = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() || otlpTracesUrl(endpoint);
  const exporter = new OTLPTraceExporter({ url });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  if (!trace.setGlobalTracerProvider(provider)) {
    void provider.shutdown().catch(() => undefined);
    logger.warn({ url }, 'tracing: a tracer provider is already registered in this process; OTEL_EXPORTER_OTLP_ENDPOINT is left to it');
    return undefined;
  }
  // Export failures (collector unreachable, refused batches) are reported through the API's diag
  // channel, silent by default: route its warnings and errors to the service log.
  const diagLogger = diagLoggerOf(logger);
  diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  logger.info(`tracing: exporting spans over OTLP to ${url} as service.name=${String(resource.attributes[ATTR_SERVICE_NAME])}`);
  let stopped: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), TRACING_SHUTDOWN_TIMEOUT_MS);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([provider.shutdown().then(() => 'done' as const), timedOut]);
      if (outcome === 'timeout') logger.warn({ url, timeoutMs: TRACING_SHUTDOWN_TIMEOUT_MS }, 'tracing: the last spans were not exported in time; giving up');
    } catch (error) {
      logger.warn({ err: error, url }, 'tracing: exporting the last spans failed');
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    url,
    resource,
    shutdown: () => (stopped ??= shutdown()),
  };
}

/**
 * The API's diag channel as warnings of the service log. Left out: the API's complaints about a
 * second registration of a global, which `enableTraceContext` attempts on purpose (it keeps the
 * context manager registered first) and `startOtlpTracing` reports itself.
 */
function diagLoggerOf(logger: TracingLogger): DiagLogger {
  const write = (message: string, ...args: unknown[]) => {
    if (/duplicate registration of API/.test(`${message} ${args.map(String).join(' ')}`)) return;
    logger.warn({ details: args.map(String) }, `opentelemetry: ${message}`);
  };
  const ignore = () => undefined;
  return { error: write, warn: write, info: ignore, debug: ignore, verbose: ignore };
}
