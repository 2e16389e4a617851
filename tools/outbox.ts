// npm run outbox -- republish --from-id 100 --to-id 200      (or --from <ISO time> --to <ISO time>)
// Re-queues published outbox rows of one service's database so its relay publishes them again
// (recovery after a broker lost its data). Reads DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite;
// the service must be stopped: PGlite allows one process per folder). Runs with tsx
// (`node --import tsx tools/outbox.ts`) on the built libraries.
//
// Exit codes: 0 done, 1 database failure, 2 bad arguments or configuration (no bound, neither
// DATABASE_URL nor DATA_DIR, a DATABASE_URL that is not a postgres:// URL).
import type { RepublishRange } from '@platform/events';
import { formatToolHelp, HELP_OPTION, intOption, OperationError, parseToolArgs, runTool, timeOption, UsageError, type OptionSpecs } from './lib/cli.js';
import { readDatabaseTarget } from './lib/env.js';
import { loadEvents } from './lib/libraries.js';

const PROGRAM = 'outbox';
const USAGE = 'usage: npm run outbox -- republish [--from-id N] [--to-id N] [--from ISO-time] [--to ISO-time]';

const OPTIONS: OptionSpecs = {
  'from-id': { type: 'string', value: 'N', description: 'first outbox row id (inclusive)' },
  'to-id': { type: 'string', value: 'N', description: 'last outbox row id (inclusive)' },
  from: { type: 'string', value: 'ISO-time', description: 'rows created at or after this time (2026-01-31T12:00:00Z)' },
  to: { type: 'string', value: 'ISO-time', description: 'rows created before this time' },
  ...HELP_OPTION,
};

const HELP = formatToolHelp(
  'npm run outbox -- republish [--from-id N] [--to-id N] [--from ISO-time] [--to ISO-time]',
  "Re-queue published outbox rows of one service's database so its relay publishes them again (at least one bound).",
  OPTIONS,
  [
    'environment: DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite folder; the service must be stopped)',
    'exit codes:  0 done, 1 database failure, 2 bad arguments or configuration',
  ],
);

function rangeOf(argv: readonly string[]): RepublishRange {
  const { values, positionals } = parseToolArgs(PROGRAM, argv, OPTIONS, { hint: USAGE, help: HELP });
  const [command, extra] = positionals;
  if (command === undefined) throw new UsageError(`${PROGRAM}: missing command (republish)`, [USAGE]);
  if (command !== 'republish') throw new UsageError(`${PROGRAM}: unknown command "${command}" (republish)`, [USAGE]);
  if (extra !== undefined) throw new UsageError(`${PROGRAM}: unexpected argument "${extra}"`, [USAGE]);
  const range: { -readonly [K in keyof RepublishRange]: RepublishRange[K] } = {};
  const fromId = intOption(PROGRAM, values, 'from-id', 1);
  const toId = intOption(PROGRAM, values, 'to-id', 1);
  const from = timeOption(PROGRAM, values, 'from');
  const to = timeOption(PROGRAM, values, 'to');
  if (fromId !== undefined) range.fromId = fromId;
  if (toId !== undefined) range.toId = toId;
  if (from !== undefined) range.from = from;
  if (to !== undefined) range.to = to;
  if (Object.keys(range).length === 0) throw new UsageError(`${PROGRAM}: give at least one bound`, [USAGE]);
  return range;
}

async function main(argv: readonly string[]): Promise<number> {
  const range = rangeOf(argv);
  const target = readDatabaseTarget(process.env);
  const { openDatabase, republishRange } = await loadEvents();
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir ?? '' });
  } catch (error) {
    // a DATABASE_URL that is not a postgres:// URL names its key (exit 2); an unreachable or refusing database is exit 1
    if ((error as { code?: string }).code === 'EVT_INVALID_CONFIG') throw new UsageError((error as Error).message);
    throw new OperationError((error as Error).message, { cause: error });
  }
  try {
    const count = await republishRange(db, range);
    console.log(`${PROGRAM}: ${count} row(s) queued for re-publishing`);
  } catch (error) {
    throw new OperationError((error as Error).message, { cause: error });
  } finally {
    await db.close().catch(() => undefined);
  }
  return 0;
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
