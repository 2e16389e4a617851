#!/usr/bin/env node
// npm run outbox -- republish --from-id 100 --to-id 200      (or --from <ISO time> --to <ISO time>)
// Re-queues published outbox rows of one service's database so its relay publishes them again
// (recovery after a broker lost its data). Reads DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite;
// the service must be stopped: PGlite allows one process per folder).
import { parseArgs } from 'node:util';
import { importBuilt } from './built-library.mjs';

const USAGE = 'usage: npm run outbox -- republish [--from-id N] [--to-id N] [--from ISO-time] [--to ISO-time]';

function fail(message, code = 2) {
  console.error(`outbox: ${message}`);
  process.exit(code);
}

const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

function rangeOf(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'from-id': { type: 'string' }, 'to-id': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'republish') fail(USAGE);
  const range = {};
  for (const [flag, key] of [['from-id', 'fromId'], ['to-id', 'toId']]) {
    const value = parsed.values[flag];
    if (value === undefined) continue;
    if (!POSITIVE_INTEGER.test(value)) fail(`--${flag} must be a positive integer, got "${value}"`);
    range[key] = Number(value);
  }
  for (const flag of ['from', 'to']) {
    const value = parsed.values[flag];
    if (value === undefined) continue;
    const time = new Date(value);
    if (Number.isNaN(time.getTime())) fail(`--${flag} must be an ISO time, got "${value}"`);
    range[flag] = time;
  }
  if (Object.keys(range).length === 0) fail(`give at least one bound\n${USAGE}`);
  return range;
}

const range = rangeOf(process.argv.slice(2));
const lib = await importBuilt('outbox');
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
