import { type Database, DatabaseMetrics, enableTraceContext, EventsRuntime, InstrumentedDatabase, migrate, type NatsConnectionOptions, openDatabase } from '@platform/events';
import { createPlatformRegistry, platformTopology } from '@platform/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import type { AddressInfo } from 'node:net';
import { assertAuthConfigured } from '../auth/token-verifier.js';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { createHttpApp } from '../http/create-http-app.js';
import { createServiceLogger } from '../logging/service-logger.js';
import { createMetricsRegistry } from '../metrics/metrics.registry.js';
import { ServiceResourcesModule } from '../service-resources.module.js';
import { startOtlpTracing, type OtlpTracing } from '../tracing/otlp-tracing.js';
import type { ServiceContext, ServiceDefinition } from './service-definition.js';

/** A started service. `close()` drains it: not ready, HTTP closed, runtime stopped, storage closed, last spans exported. */
export interface RunningService<C extends BaseServiceConfig = BaseServiceConfig> extends ServiceContext<C> {
  /** `http://host:port` actually bound (with the real port when `PORT` is 0). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Start a service in this process without touching process signals or exit codes (tests use this;
 * `bootstrapService` adds the process handling). Storage and the events runtime are opened first
 * so that the app's providers can inject them; whatever was opened is closed again when a later
 * step fails.
 */
export async function startService<C extends BaseServiceConfig>(
  definition: ServiceDefinition<C>,
  config: Readonly<C>,
  options: { readonly logger?: PinoLogger } = {},
): Promise<RunningService<C>> {
  const { name } = definition;
  const log = options.logger ?? createServiceLogger({ service: name, level: config.LOG_LEVEL });
  // No key to verify API tokens: refuse before opening anything (bootstrapService exits 2 naming the keys).
  assertAuthConfigured(config);
  enableTraceContext();
  const metricsRegistry = createMetricsRegistry(name);
  // Statements and transactions counted on /metrics (db_statements_total, db_transactions_total).
  const db: Database = new InstrumentedDatabase(
    await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      applicationName: name,
      poolSize: config.DB_POOL_SIZE,
      acquireTimeoutMs: config.DB_ACQUIRE_TIMEOUT_MS,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    }),
    new DatabaseMetrics(metricsRegistry),
  );
  let runtime: EventsRuntime | undefined;
  let app: NestFastifyApplication | undefined;
  let tracing: OtlpTracing | undefined;
  try {
    if (definition.migrations) await migrate(db, name, definition.migrations);
    // The library logs (consumers, retries, dead letters, relay) as JSON lines like the app, with
    // the event's id, type and correlation id in each line.
    const logger = log.child({ context: 'events' });
    // OTEL_EXPORTER_OTLP_ENDPOINT set: an SDK tracer provider exports the hops' spans (registered before any traffic).
    tracing = startOtlpTracing(name, config, log.child({ context: 'tracing' }));
    runtime = await EventsRuntime.start({
      service: name,
      nats: natsOptionsOf(config),
      db,
      registry: createPlatformRegistry(),
      topology: platformTopology(),
      metricsRegistry,
      logger,
      inboxRetentionMs: config.EVENTS_INBOX_RETENTION_MS,
      sequenceRetentionMs: config.EVENTS_SEQUENCE_RETENTION_MS,
    });
    app = await createHttpApp(definition.module, { service: name, config, metricsRegistry, logger: log, imports: [ServiceResourcesModule.forRoot({ db, runtime })] });
    const context: ServiceContext<C> = { name, app, config, db, runtime };
    await definition.onReady?.(context);
    if (definition.consumesEvents) {
      runtime.connectTransport(app, {
        retryBackoff: { initialMs: config.EVENT_RETRY_INITIAL_MS, maxMs: config.EVENT_RETRY_MAX_MS },
        batchSize: config.EVENT_BATCH_SIZE,
        transactionConcurrency: config.EVENT_TRANSACTION_CONCURRENCY,
      });
      await app.startAllMicroservices();
    }
    registerReadinessChecks(app.get(ReadinessRegistry), db, runtime);
    await app.listen({ port: config.PORT, host: config.HOST });
    const url = urlOf(app);
    app.get(Logger).log(`${name} listening on ${url}`, 'Bootstrap');
    return { ...context, url, close: () => closeService(app!, runtime!, db, tracing) };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await tracing?.shutdown();
    throw error;
  }
}

/** The NATS connection settings of the config: URL, the one auth method set (if any), TLS files. */
export function natsOptionsOf(config: Readonly<BaseServiceConfig>): Omit<NatsConnectionOptions, 'service'> {
  const tls = config.NATS_TLS_CA || config.NATS_TLS_CERT || config.NATS_TLS_KEY ? { caFile: config.NATS_TLS_CA, certFile: config.NATS_TLS_CERT, keyFile: config.NATS_TLS_KEY } : undefined;
  return {
    url: config.NATS_URL,
    credsFile: config.NATS_CREDS,
    nkeySeedFile: config.NATS_NKEY_SEED_FILE,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    ...(tls ? { tls } : {}),
  };
}

function registerReadinessChecks(readiness: ReadinessRegistry, db: Database, runtime: EventsRuntime): void {
  readiness.register('storage', async () => (await db.query('SELECT 1 AS ok')).rowCount === 1);
  for (const part of Object.keys(runtime.readiness())) {
    readiness.register(part, () => runtime.readiness()[part] === true);
  }
}

async function closeService(app: NestFastifyApplication, runtime: EventsRuntime, db: Database, tracing: OtlpTracing | undefined): Promise<void> {
  try {
    app.get(ReadinessRegistry).setDraining();
    await app.close();
    await runtime.close();
    await db.close();
  } finally {
    // Last: the spans of the final requests and messages have ended; export them (bounded in time).
    await tracing?.shutdown();
  }
}

function urlOf(app: NestFastifyApplication): string {
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
