// `npm run token -- --tenant demo --role operator [--sub <id>] [--ttl 1h]`: print a development
// token for the local platform (`npm start`), signed with .data/auth/signing-key.private.jwk.
// On the tools' command-line kit (tools/lib/cli.ts); needs no build.
import { listOption, parseToolArgs, runTool, stringOption, UsageError, type OptionSpecs } from './lib/cli.js';
import { DATA_DIR } from './lib/env.js';
import { mintDevToken } from './dev-auth.js';

const PROGRAM = 'token';
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ROLES = ['customer', 'operator'];
const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const MAX_TTL_S = 30 * 86400;

const USAGE = `Usage: npm run -s token -- --tenant <tenant> --role <customer|operator> [--role …] [--sub <id>] [--ttl <duration>]

Prints a development bearer token (JWT, EdDSA) for the services started by \`npm start\`, signed
with the local key in .data/auth (created if missing). Use it as \`Authorization: Bearer <token>\`:

  TOKEN=$(npm run -s token -- --tenant demo --role operator)
  curl -s localhost:3002/products -H "Authorization: Bearer $TOKEN"

Options:
  --tenant <id>     the tenant claim (${TENANT.source}); required
  --role <role>     customer or operator; repeatable; required
  --sub <id>        the subject: for a customer its customer id (default: c-1 for a customer,
                    operator for an operator); 1–64 characters
  --ttl <duration>  lifetime: <n>s, <n>m, <n>h or <n>d (default 1h, at most 30d)
  -h, --help        this text

Exit codes: 0 printed, 2 bad arguments.`;

const OPTIONS: OptionSpecs = {
  tenant: { type: 'string', value: 'id', description: 'the tenant claim; required' },
  role: { type: 'string', multiple: true, value: 'role', description: 'customer or operator; repeatable; required' },
  sub: { type: 'string', value: 'id', description: 'the subject (default: c-1 for a customer, operator for an operator)' },
  ttl: { type: 'string', value: 'duration', description: 'lifetime: <n>s, <n>m, <n>h or <n>d (default 1h, at most 30d)' },
  help: { type: 'boolean', short: 'h', description: 'this text' },
};

/** A bad argument: its message, a blank line, the usage text (exit 2). */
const bad = (message: string) => new UsageError(`${PROGRAM}: ${message}`, ['', USAGE]);

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseToolArgs(PROGRAM, argv, OPTIONS, { positionals: false, hint: `\n${USAGE}`, help: USAGE });
  const tenant = stringOption(values, 'tenant');
  if (!tenant) throw bad('--tenant is required');
  if (!TENANT.test(tenant)) throw bad(`--tenant ${JSON.stringify(tenant)} must match ${TENANT.source}`);
  const roles = [...new Set(listOption(values, 'role'))];
  if (roles.length === 0) throw bad('--role is required (customer or operator)');
  for (const role of roles) if (!ROLES.includes(role)) throw bad(`--role ${JSON.stringify(role)} must be one of ${ROLES.join(', ')}`);
  const sub = stringOption(values, 'sub') ?? (roles.includes('operator') ? 'operator' : 'c-1');
  if (sub.length < 1 || sub.length > 64 || /[\u0000-\u001f\u007f]/.test(sub)) throw bad('--sub must be 1–64 characters without control characters');
  const rawTtl = stringOption(values, 'ttl') ?? '1h';
  const ttl = /^(\d+)([smhd])$/.exec(rawTtl);
  if (!ttl) throw bad(`--ttl ${JSON.stringify(rawTtl)} must look like 30s, 15m, 1h or 7d`);
  const ttlSeconds = Number(ttl[1]) * UNITS[ttl[2]!]!;
  if (ttlSeconds < 1 || ttlSeconds > MAX_TTL_S) throw bad('--ttl must be between 1s and 30d');

  process.stdout.write(`${await mintDevToken(DATA_DIR, { tenant, roles, sub, ttlSeconds })}\n`);
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
