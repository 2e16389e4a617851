#!/usr/bin/env node
// Applies the platform's JetStream topology (libs/contracts/src/topology.ts) to a
// NATS server: creates missing streams and durable consumers, updates editable settings in place,
// refuses unsafe changes, never deletes. Uses the BUILT library: run `npx tsc -b libs/events-ops/tsconfig.json` first.
//
//   node tools/provision.mjs                 apply (npm run provision)
//   node tools/provision.mjs --dry-run       print what would change; exit 1 if anything would be refused
//   node tools/provision.mjs --allow consumer-filter-subject,replicas-decrease
//                                            apply changes that are refused by default (docs/topology.md)
//
// Environment: NATS_URL (default nats://127.0.0.1:4222, comma-separated for a cluster), at most one of
// NATS_CREDS (path to a .creds file), NATS_NKEY_SEED_FILE (path to an NKey seed) or NATS_USER + NATS_PASSWORD,
// NATS_TLS_CA / NATS_TLS_CERT + NATS_TLS_KEY (paths), STREAM_REPLICAS (1, 3 or 5; default 1). The
// credentials are checked and used by the library's connectNats, as in the services.
// Exit codes: 0 applied (or nothing to do), 1 refused or NATS/server failure, 2 bad arguments or configuration.
import { jetstreamManager } from '@nats-io/jetstream';
import { importBuilt } from './built-library.mjs';

const USAGE = 'usage: node tools/provision.mjs [--dry-run] [--allow <change>[,<change>...]]';

function fail(message, code) {
  console.error(`provision: ${message}`);
  process.exit(code);
}

const loadLibrary = () => importBuilt('provision');

function parseArgs(argv, OptInChange) {
  const options = { dryRun: false, allow: [] };
  const known = Object.values(OptInChange);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(`${USAGE}\n  changes for --allow: ${known.join(', ')}`);
      process.exit(0);
    } else if (arg === '--allow' || arg.startsWith('--allow=')) {
      const value = arg === '--allow' ? argv[++i] : arg.slice('--allow='.length);
      if (!value) fail(`--allow needs a value: one or more of ${known.join(', ')}`, 2);
      for (const change of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!known.includes(change)) fail(`--allow: unknown change "${change}" (known: ${known.join(', ')})`, 2);
        options.allow.push(change);
      }
    } else fail(`unknown argument "${arg}"\n${USAGE}`, 2);
  }
  return options;
}

function readConfig(env, parseStreamReplicas) {
  // Empty counts as unset, as in the services; pairs, one auth method and the files are checked by connectNats.
  const value = (key) => env[key]?.trim() || undefined;
  const tls = { caFile: value('NATS_TLS_CA'), certFile: value('NATS_TLS_CERT'), keyFile: value('NATS_TLS_KEY') };
  return {
    url: value('NATS_URL') ?? 'nats://127.0.0.1:4222',
    credsFile: value('NATS_CREDS'),
    nkeySeedFile: value('NATS_NKEY_SEED_FILE'),
    user: value('NATS_USER'),
    password: env.NATS_PASSWORD || undefined,
    tls: tls.caFile || tls.certFile || tls.keyFile ? tls : undefined,
    replicas: parseStreamReplicas(env.STREAM_REPLICAS, 'STREAM_REPLICAS'),
  };
}

async function main() {
  const lib = await loadLibrary();
  const args = parseArgs(process.argv.slice(2), lib.OptInChange);

  let config;
  let topology;
  try {
    config = readConfig(process.env, lib.parseStreamReplicas);
    topology = lib.platformTopology({ replicas: config.replicas });
  } catch (error) {
    fail(error.message, 2);
  }

  let nc;
  try {
    const { replicas: _replicas, ...nats } = config;
    nc = await lib.connectNats({ ...nats, service: 'provisioner' });
  } catch (error) {
    // A bad or unreadable credential/TLS setting names its key (exit 2); a refused one is a
    // connection failure whose message names the auth key (exit 1).
    if (error?.code === 'EVT_INVALID_CONFIG') fail(error.message, 2);
    fail(`cannot connect to NATS at ${config.url}: ${error.message}`, 1);
  }

  let exitCode = 0;
  try {
    const jsm = await jetstreamManager(nc).catch((error) => {
      throw new Error(`JetStream is not available at ${config.url}: ${error.message}`);
    });
    const streams = topology.streams.length;
    const consumers = topology.consumers.length;
    console.log(
      `provision: ${config.url}, ${streams} streams, ${consumers} consumers, replicas ${config.replicas}${args.dryRun ? ' (dry run)' : ''}`,
    );
    const report = await lib.provision(jsm, topology, { dryRun: args.dryRun, allow: args.allow });
    for (const line of lib.formatProvisionReport(report)) console.log(line);
    if (report.entries.some((entry) => entry.action === 'refused')) exitCode = 1;
  } catch (error) {
    console.error(`provision: ${error?.message ?? error}`);
    if (process.env.DEBUG && error?.stack) console.error(error.stack);
    exitCode = error?.code === 'EVT_INVALID_CONFIG' ? 2 : 1;
  } finally {
    await nc.close().catch(() => undefined);
  }
  process.exit(exitCode);
}

await main();
