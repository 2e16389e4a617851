// Applies the platform's JetStream topology (libs/contracts/src/topology.ts) to a
// NATS server: creates missing streams and durable consumers, updates editable settings in place,
// refuses unsafe changes, never deletes. Uses the BUILT library: run `npx tsc -b libs/events-ops/tsconfig.json` first.
// Compiled to tools/dist/provision.js (tools/tsconfig.build.json, part of `tsc -b tsconfig.json`):
// that is what the container image runs (node tools/dist/provision.js), with no TypeScript loader.
//
//   npm run provision                        apply (node --import tsx tools/provision.ts)
//   npm run provision -- --dry-run           print what would change; exit 1 if anything would be refused
//   npm run provision -- --allow consumer-filter-subject,replicas-decrease
//                                            apply changes that are refused by default (docs/topology.md)
//   node tools/dist/provision.js [options]   the same, compiled (the image's provisioning Job)
//
// Environment: NATS_URL (default nats://127.0.0.1:4222, comma-separated for a cluster), at most one of
// NATS_CREDS (path to a .creds file), NATS_NKEY_SEED_FILE (path to an NKey seed) or NATS_USER + NATS_PASSWORD,
// NATS_TLS_CA / NATS_TLS_CERT + NATS_TLS_KEY (paths), STREAM_REPLICAS (1, 3 or 5; default 1). The
// credentials are checked and used by the library's connectNats, as in the services.
// Exit codes: 0 applied (or nothing to do), 1 refused or NATS/server failure, 2 bad arguments or configuration.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Topology } from '@platform/events';
import type { OptInChange, ProvisionReport } from '@platform/events-ops';
import { booleanOption, formatToolHelp, HELP_OPTION, listOption, OperationError, parseToolArgs, runTool, UsageError, type OptionSpecs } from './lib/cli.js';
import { readNatsSettings } from './lib/env.js';
import { loadEvents } from './lib/libraries.js';

const PROGRAM = 'provision';
const USAGE = 'usage: npm run provision -- [--dry-run] [--allow <change>[,<change>...]]   (image: node tools/dist/provision.js [options])';

const OPTIONS: OptionSpecs = {
  'dry-run': { type: 'boolean', description: 'print what would change; exit 1 if anything would be refused' },
  allow: { type: 'string', multiple: true, value: 'change,...', description: 'apply changes that are refused by default (docs/topology.md)' },
  ...HELP_OPTION,
};

const help = (known: readonly string[]) =>
  formatToolHelp(
    'npm run provision -- [--dry-run] [--allow <change>[,<change>...]]',
    "Apply the platform's JetStream topology: create missing streams and durable consumers, update editable settings in place, refuse unsafe changes, never delete.",
    OPTIONS,
    [
      `changes for --allow: ${known.join(', ')}`,
      'environment: NATS_URL (default nats://127.0.0.1:4222), one of NATS_CREDS / NATS_NKEY_SEED_FILE / NATS_USER + NATS_PASSWORD,',
      '             NATS_TLS_CA, NATS_TLS_CERT + NATS_TLS_KEY, STREAM_REPLICAS (1, 3 or 5; default 1)',
      'exit codes:  0 applied (or nothing to do), 1 refused or NATS/server failure, 2 bad arguments or configuration',
      'compiled:    node tools/dist/provision.js [options] (the container image)',
    ],
  );

/** The opt-in changes of `--allow` (repeatable, comma-separated), each one checked against the library's. */
function allowedChanges(values: readonly string[], known: readonly string[]): OptInChange[] {
  const allow: string[] = [];
  for (const value of values) {
    const changes = value.split(',').map((s) => s.trim()).filter(Boolean);
    if (changes.length === 0) throw new UsageError(`${PROGRAM}: --allow needs a value: one or more of ${known.join(', ')}`);
    for (const change of changes) {
      if (!known.includes(change)) throw new UsageError(`${PROGRAM}: --allow: unknown change "${change}" (known: ${known.join(', ')})`);
      allow.push(change);
    }
  }
  return allow as OptInChange[];
}

/** A connectNats refusal of a setting names its key (exit 2); anything else is a NATS failure (exit 1). */
function connectionError(error: unknown, url: string): Error {
  if ((error as { code?: string }).code === 'EVT_INVALID_CONFIG') return new UsageError((error as Error).message);
  return new OperationError(`cannot connect to NATS at ${url}: ${(error as Error).message}`, { cause: error });
}

async function main(argv: readonly string[]): Promise<number> {
  // the help lists the opt-in changes, so it loads the library too
  const { values } = parseToolArgs(PROGRAM, argv, OPTIONS, { positionals: false, hint: USAGE, help: async () => help(Object.values((await loadEvents()).OptInChange)) });
  const lib = await loadEvents();
  const known: string[] = Object.values(lib.OptInChange);
  const dryRun = booleanOption(values, 'dry-run');
  const allow = allowedChanges(listOption(values, 'allow'), known);

  // STREAM_REPLICAS with the library's parser (as the services read it); a bad value names the key (exit 2)
  const settings = readNatsSettings(process.env);
  let replicas: number;
  let topology: Topology;
  try {
    replicas = lib.parseStreamReplicas(process.env['STREAM_REPLICAS'], 'STREAM_REPLICAS');
    topology = lib.platformTopology({ replicas });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  let nc: NatsConnection;
  try {
    nc = await lib.connectNats({ ...settings, service: 'provisioner' });
  } catch (error) {
    // A bad or unreadable credential/TLS setting names its key (exit 2); a refused one is a
    // connection failure whose message names the auth key (exit 1).
    throw connectionError(error, settings.url);
  }

  try {
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (error) {
      throw new OperationError(`JetStream is not available at ${settings.url}: ${(error as Error).message}`, { cause: error });
    }
    console.log(`${PROGRAM}: ${settings.url}, ${topology.streams.length} streams, ${topology.consumers.length} consumers, replicas ${replicas}${dryRun ? ' (dry run)' : ''}`);
    let report: ProvisionReport;
    try {
      report = await lib.provision(jsm, topology, { dryRun, allow });
    } catch (error) {
      if ((error as { code?: string }).code === 'EVT_INVALID_CONFIG') throw new UsageError((error as Error).message);
      throw error;
    }
    for (const line of lib.formatProvisionReport(report)) console.log(line);
    return report.entries.some((entry) => entry.action === 'refused') ? 1 : 0;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
