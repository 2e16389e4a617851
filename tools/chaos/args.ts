/** The chaos CLI's arguments (the tools' command-line kit, strict): a {@link UsageError} (exit 2) names what is wrong. */
import { booleanOption, formatToolHelp, HELP_OPTION, intOption, type OptionSpecs, parseToolArgs, stringOption, UsageError } from '../lib/cli.js';
import { FAULT_DESCRIPTIONS, FAULT_KINDS, type FaultKind } from './faults.js';
import type { ChaosOptions, Storage } from './runner.js';

/** The CI short mode: every fault, a shorter window, fewer orders, services killed two at a time, one node kill with --cluster (three passes in under 3 minutes). */
export const SHORT_MODE = { seconds: 25, rate: 3, poison: 0, killTogether: 2, nodeKills: 1 } as const;
/** `npm run chaos` without options (with --cluster: the leaders of ORDERS and then of PAYMENTS killed). */
export const FULL_MODE = { seconds: 120, rate: 5, poison: 2, killTogether: 1, nodeKills: 2 } as const;

const HINT = 'see: npm run chaos -- --help';

export const CHAOS_OPTIONS: OptionSpecs = {
  storage: { type: 'string', value: 'postgres|pglite|both', description: 'where the services keep their data (default both, postgres first)' },
  seconds: { type: 'string', value: 'N', description: `the order window per storage, faults within it (default ${FULL_MODE.seconds}; --short ${SHORT_MODE.seconds})` },
  rate: { type: 'string', value: 'N', description: `new orders (idempotency keys) per second (default ${FULL_MODE.rate}; --short ${SHORT_MODE.rate})` },
  short: { type: 'boolean', description: 'the CI short mode (the figures above; services killed two at a time)' },
  cluster: { type: 'boolean', description: `on a 3-node JetStream cluster (streams at 3 replicas): node-kill instead of nats (${FULL_MODE.nodeKills} node kills; --short ${SHORT_MODE.nodeKills})` },
  seed: { type: 'string', value: 'N', description: 'seed of the schedule and the orders (default: random, printed)' },
  faults: { type: 'string', value: 'list', description: `comma-separated, default all that apply: ${FAULT_KINDS.join(',')}` },
  poison: { type: 'string', value: 'N', description: `orders that must be dead-lettered (tok_gateway_error) (default ${FULL_MODE.poison}; --short ${SHORT_MODE.poison})` },
  json: { type: 'boolean', description: 'the report as JSON on stdout (progress stays on stderr)' },
  ...HELP_OPTION,
};

export const USAGE = formatToolHelp(
  'npm run chaos -- [options]',
  [
    'The six services and nats-server (--cluster: a 3-node JetStream cluster) as processes, a stream of orders with Idempotency-Keys (retried',
    'as a real client would), faults injected while they flow; then every invariant checked through',
    'the HTTP API. Exit 0: every invariant holds; 1: a broken invariant (or the run failed); 2: bad arguments.',
  ].join('\n'),
  CHAOS_OPTIONS,
  ['faults:', ...FAULT_KINDS.map((kind) => `  ${kind.padEnd(13)} ${FAULT_DESCRIPTIONS[kind]}`)],
);

export type ParsedChaosArgs = { readonly help: true } | { readonly help: false; readonly json: boolean; readonly options: Omit<ChaosOptions, 'log'> };

export function parseChaosArgs(argv: readonly string[], randomSeed: () => number = () => 1 + Math.floor(Math.random() * 0x7fff_ffff)): ParsedChaosArgs {
  const { values } = parseToolArgs('chaos', argv, CHAOS_OPTIONS, { positionals: false, hint: HINT });
  const int = (name: string, fallback: number, min: number, max: number): number => intOption('chaos', values, name, min, max) ?? fallback;
  if (booleanOption(values, 'help')) return { help: true };
  const storage = stringOption(values, 'storage') ?? 'both';
  if (storage !== 'postgres' && storage !== 'pglite' && storage !== 'both') throw new UsageError(`chaos: --storage must be postgres, pglite or both, got "${storage}"`);
  const storages: Storage[] = storage === 'both' ? ['postgres', 'pglite'] : [storage];
  const mode = booleanOption(values, 'short') ? SHORT_MODE : FULL_MODE;
  const cluster = booleanOption(values, 'cluster');
  // Default: every fault; without --cluster node-kill is not one of them (with it, nats is listed and reported as not applying).
  const faultList = stringOption(values, 'faults');
  const faults = faultList === undefined ? FAULT_KINDS.filter((kind) => cluster || kind !== 'node-kill') : faultList.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new UsageError(`chaos: unknown fault ${unknown.join(', ')} (faults: ${FAULT_KINDS.join(', ')})`);
  if (faults.length === 0) throw new UsageError('chaos: --faults names no fault');
  if (!cluster && faults.includes('node-kill')) {
    throw new UsageError('chaos: --faults node-kill needs --cluster (it SIGKILLs a node of the 3-node JetStream cluster; a single nats-server is the nats fault)', [HINT]);
  }
  return {
    help: false,
    json: booleanOption(values, 'json'),
    options: {
      storages,
      seconds: int('seconds', mode.seconds, 5, 3_600),
      rate: int('rate', mode.rate, 1, 200),
      seed: int('seed', randomSeed(), 1, 0x7fff_ffff),
      faults: faults as FaultKind[],
      poison: int('poison', mode.poison, 0, 100),
      killTogether: mode.killTogether,
      cluster,
      nodeKills: mode.nodeKills,
    },
  };
}
