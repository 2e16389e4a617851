import { jetstream } from '@nats-io/jetstream';
import { connectNats, InvalidConfigError, migrate, openDatabase } from '@platform/events';
import { createPlatformRegistry } from '@platform/contracts';
import { EXIT_INVALID_CONFIG, loadConfig, natsOptionsOf } from '@platform/service-kit';
import { pino } from 'pino';
import { analyticsMigrations } from './adapters/db/analytics.migrations.js';
import { SqlAnalyticsStore } from './adapters/db/analytics.store.js';
import { AnalyticsServiceConfig } from './config.js';
import { rebuildAnalytics } from './application/rebuild-analytics.js';

const USAGE = `Usage: node apps/analytics/dist/replay.main.js   (or: npx nx run analytics:replay)

Rebuilds the analytics aggregates of every tenant from the ORDERS, PAYMENTS, INVENTORY, LOYALTY and
NOTIFICATIONS streams, in one database transaction: deletes all facts and summaries, re-applies
every stored event up to the last sequence present at the start, commits. Malformed or unknown
messages are skipped and counted. Prints {"rebuilt":{"ORDERS":n,...},"skipped":n} on stdout.

Environment (same keys as the service):
  NATS_URL      NATS server URL(s) (default nats://127.0.0.1:4222)
  NATS_NKEY_SEED_FILE, NATS_CREDS or NATS_USER/NATS_PASSWORD, NATS_TLS_*
                analytics' own NATS identity and TLS, as for the service
  DATABASE_URL  PostgreSQL URL of the analytics database; unset: PGlite in DATA_DIR
  DATA_DIR      PGlite folder (default .data/analytics)
  LOG_LEVEL     JSON log level on stderr (default info)

PGlite is single-process: without DATABASE_URL, run this only while the analytics service is
stopped. With PostgreSQL it is safe while the service runs (live consumers wait for the rebuild's
commit and then apply only what it did not). While the service runs, prefer
POST /analytics/rebuild on its HTTP port, which works with either database.

Exit codes: 0 rebuilt, 1 failed, ${EXIT_INVALID_CONFIG} invalid configuration.`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Readonly<AnalyticsServiceConfig>;
  try {
    config = loadConfig(AnalyticsServiceConfig);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    process.stderr.write(`invalid configuration: ${error.message}\n\n${USAGE}\n`);
    return EXIT_INVALID_CONFIG;
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'analytics', command: 'replay' } }, pino.destination(2));
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, applicationName: 'analytics-replay' });
  try {
    await migrate(db, 'analytics', analyticsMigrations);
    const nc = await connectNats({ ...natsOptionsOf(config), service: 'analytics' });
    try {
      const result = await rebuildAnalytics({ db, store: new SqlAnalyticsStore(db), js: jetstream(nc), registry: createPlatformRegistry(), logger });
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } finally {
      await nc.drain().catch(() => undefined);
    }
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`analytics replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
