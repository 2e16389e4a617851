#!/usr/bin/env node
// npm run outbox -- republish --from-id 100 --to-id 200      (or --from <ISO time> --to <ISO time>)
// Re-queues published outbox rows of one service's database so its relay publishes them again
// (recovery after a broker lost its data). Reads DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite;
// the service must be stopped: PGlite allows one process per folder).
const USAGE = 'usage: npm run outbox -- republish [--from-id N] [--to-id N] [--from ISO-time] [--to ISO-time]';

function fail(message, code = 2) {
  console.error(`outbox: ${message}`);
  process.exit(code);
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'republish') fail(USAGE);
  const range = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (value === undefined) fail(`${flag} needs a value\n${USAGE}`);
    if (flag === '--from-id' || flag === '--to-id') {
      if (!/^[1-9][0-9]*$/.test(value)) fail(`${flag} must be a positive integer, got "${value}"`);
      range[flag === '--from-id' ? 'fromId' : 'toId'] = Number(value);
    } else if (flag === '--from' || flag === '--to') {
      const time = new Date(value);
      if (Number.isNaN(time.getTime())) fail(`${flag} must be an ISO time, got "${value}"`);
      range[flag.slice(2)] = time;
    } else fail(`unknown option ${flag}\n${USAGE}`);
  }
  if (Object.keys(range).length === 0) fail(`give at least one bound\n${USAGE}`);
  return range;
}

const range = parseArgs(process.argv.slice(2));
let lib;
try {
  lib = await import('@platform/events');
} catch (error) {
  fail(`cannot load the built events library (${error.message}); build it first: npx tsc -b libs/events/tsconfig.json`);
}
const { openDatabase, republishRange } = lib;
const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
const dataDir = process.env.DATA_DIR?.trim();
if (!databaseUrl && !dataDir) fail('set DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite folder) of the service');
try {
  const db = await openDatabase({ databaseUrl, dataDir: dataDir ?? '' });
  try {
    const count = await republishRange(db, range);
    console.log(`outbox: ${count} row(s) queued for re-publishing`);
  } finally {
    await db.close();
  }
} catch (error) {
  fail(error.message, 1);
}
