#!/usr/bin/env node
// `npm run token -- --tenant demo --role operator [--sub <id>] [--ttl 1h]`: print a development
// token for the local platform (`npm start`), signed with .data/auth/signing-key.private.jwk.
import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-auth.mjs';

const root = new URL('..', import.meta.url).pathname;
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ROLES = ['customer', 'operator'];
const UNITS = { s: 1, m: 60, h: 3600, d: 86400 };
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

function fail(message) {
  process.stderr.write(`token: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail(error.message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.tenant) fail('--tenant is required');
if (!TENANT.test(values.tenant)) fail(`--tenant ${JSON.stringify(values.tenant)} must match ${TENANT.source}`);
const roles = [...new Set(values.role ?? [])];
if (roles.length === 0) fail('--role is required (customer or operator)');
for (const role of roles) if (!ROLES.includes(role)) fail(`--role ${JSON.stringify(role)} must be one of ${ROLES.join(', ')}`);
const sub = values.sub ?? (roles.includes('operator') ? 'operator' : 'c-1');
if (sub.length < 1 || sub.length > 64 || /[\u0000-\u001f\u007f]/.test(sub)) fail('--sub must be 1–64 characters without control characters');
const ttl = /^(\d+)([smhd])$/.exec(values.ttl);
if (!ttl) fail(`--ttl ${JSON.stringify(values.ttl)} must look like 30s, 15m, 1h or 7d`);
const ttlSeconds = Number(ttl[1]) * UNITS[ttl[2]];
if (ttlSeconds < 1 || ttlSeconds > MAX_TTL_S) fail('--ttl must be between 1s and 30d');

process.stdout.write(`${await mintDevToken(`${root}.data`, { tenant: values.tenant, roles, sub, ttlSeconds })}\n`);
