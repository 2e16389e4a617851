/** The chaos CLI's arguments (`node:util` parseArgs, strict): a {@link UsageError} (exit 2) names what is wrong. */
import { parseArgs } from 'node:util';
import { UsageError } from '../platform/args.js';
import { FAULT_DESCRIPTIONS, FAULT_KINDS, type FaultKind } from './faults.js';
import type { ChaosOptions, Storage } from './runner.js';

/** The CI short mode: every fault, a shorter window, fewer orders, services killed two at a time, one node kill with --cluster (three passes in under 3 minutes). */
export const SHORT_MODE = { seconds: 25, rate: 3, poison: 0, killTogether: 2, nodeKills: 1 } as const;
/** `npm run chaos` without options (with --cluster: the leaders of ORDERS and then of PAYMENTS killed). */
export const FULL_MODE = { seconds: 120, rate: 5, poison: 2, killTogether: 1, nodeKills: 2 } as const;

export const USAGE = [
  'usage: npm run chaos -- [options]',
  '',
  'The six services and nats-server (--cluster: a 3-node JetStream cluster) as processes, a stream of orders with Idempotency-Keys (retried',
  'as a real client would), faults injected while they flow; then every invariant checked through',
  'the HTTP API. Exit 0: every invariant holds; 1: a broken invariant (or the run failed); 2: bad arguments.',
  '',
  'options:',
  '  --storage <postgres|pglite|both>  where the services keep their data (default both, postgres first)',
  `  --seconds <N>                     the order window per storage, faults within it (default ${FULL_MODE.seconds}; --short ${SHORT_MODE.seconds})`,
  `  --rate <N>                        new orders (idempotency keys) per second (default ${FULL_MODE.rate}; --short ${SHORT_MODE.rate})`,
  '  --short                           the CI short mode (the figures above; services killed two at a time)',
  `  --cluster                         on a 3-node JetStream cluster (streams at 3 replicas): node-kill instead of nats (${FULL_MODE.nodeKills} node kills; --short ${SHORT_MODE.nodeKills})`,
  '  --seed <N>                        seed of the schedule and the orders (default: random, printed)',
  `  --faults <list>                   comma-separated, default all that apply: ${FAULT_KINDS.join(',')}`,
  `  --poison <N>                      orders that must be dead-lettered (tok_gateway_error) (default ${FULL_MODE.poison}; --short ${SHORT_MODE.poison})`,
  '  --json                            the report as JSON on stdout (progress stays on stderr)',
  '  -h, --help                        this help',
  '',
  'faults:',
  ...FAULT_KINDS.map((kind) => `  ${kind.padEnd(13)} ${FAULT_DESCRIPTIONS[kind]}`),
].join('\n');

export type ParsedChaosArgs = { readonly help: true } | { readonly help: false; readonly json: boolean; readonly options: Omit<ChaosOptions, 'log'> };

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1, max = 100_000): number {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`chaos: --${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

export function parseChaosArgs(argv: readonly string[], randomSeed: () => number = () => 1 + Math.floor(Math.random() * 0x7fff_ffff)): ParsedChaosArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        storage: { type: 'string' },
        seconds: { type: 'string' },
        rate: { type: 'string' },
        short: { type: 'boolean' },
        cluster: { type: 'boolean' },
        seed: { type: 'string' },
        faults: { type: 'string' },
        poison: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`chaos: ${(error as Error).message}`, ['see: npm run chaos -- --help']);
  }
  if (values.help) return { help: true };
  const storage = values.storage ?? 'both';
  if (storage !== 'postgres' && storage !== 'pglite' && storage !== 'both') throw new UsageError(`chaos: --storage must be postgres, pglite or both, got "${storage}"`);
  const storages: Storage[] = storage === 'both' ? ['postgres', 'pglite'] : [storage];
  const mode = values.short ? SHORT_MODE : FULL_MODE;
  const cluster = values.cluster ?? false;
  // Default: every fault; without --cluster node-kill is not one of them (with it, nats is listed and reported as not applying).
  const faults = values.faults === undefined ? FAULT_KINDS.filter((kind) => cluster || kind !== 'node-kill') : values.faults.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new UsageError(`chaos: unknown fault ${unknown.join(', ')} (faults: ${FAULT_KINDS.join(', ')})`);
  if (faults.length === 0) throw new UsageError('chaos: --faults names no fault');
  if (!cluster && faults.includes('node-kill')) {
    throw new UsageError('chaos: --faults node-kill needs --cluster (it SIGKILLs a node of the 3-node JetStream cluster; a single nats-server is the nats fault)', ['see: npm run chaos -- --help']);
  }
  return {
    help: false,
    json: values.json ?? false,
    options: {
      storages,
      seconds: positiveInt('seconds', values.seconds, mode.seconds, 5, 3_600),
      rate: positiveInt('rate', values.rate, mode.rate, 1, 200),
      seed: positiveInt('seed', values.seed, randomSeed(), 1, 0x7fff_ffff),
      faults: faults as FaultKind[],
      poison: positiveInt('poison', values.poison, mode.poison, 0, 100),
      killTogether: mode.killTogether,
      cluster,
      nodeKills: mode.nodeKills,
    },
  };
}
