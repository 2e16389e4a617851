/** The chaos CLI's arguments (`node:util` parseArgs, strict): a {@link UsageError} (exit 2) names what is wrong. */
import { parseArgs } from 'node:util';
import { UsageError } from '../platform/args.js';
import { FAULT_DESCRIPTIONS, FAULT_KINDS, type FaultKind } from './faults.js';
import type { ChaosOptions, Storage } from './runner.js';

/** The CI short mode: every fault, a shorter window, fewer orders, services killed two at a time (both storages in under 3 minutes). */
export const SHORT_MODE = { seconds: 25, rate: 3, poison: 0, killTogether: 2 } as const;
/** `npm run chaos` without options. */
export const FULL_MODE = { seconds: 120, rate: 5, poison: 2, killTogether: 1 } as const;

export const USAGE = [
  'usage: npm run chaos -- [options]',
  '',
  'The six services and nats-server as processes, a stream of orders with Idempotency-Keys (retried',
  'as a real client would), faults injected while they flow; then every invariant checked through',
  'the HTTP API. Exit 0: every invariant holds; 1: a broken invariant (or the run failed); 2: bad arguments.',
  '',
  'options:',
  '  --storage <postgres|pglite|both>  where the services keep their data (default both, postgres first)',
  `  --seconds <N>                     the order window per storage, faults within it (default ${FULL_MODE.seconds}; --short ${SHORT_MODE.seconds})`,
  `  --rate <N>                        new orders (idempotency keys) per second (default ${FULL_MODE.rate}; --short ${SHORT_MODE.rate})`,
  '  --short                           the CI short mode (the figures above; services killed two at a time)',
  '  --seed <N>                        seed of the schedule and the orders (default: random, printed)',
  `  --faults <list>                   comma-separated, default all: ${FAULT_KINDS.join(',')}`,
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
  const faults = values.faults === undefined ? [...FAULT_KINDS] : values.faults.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new UsageError(`chaos: unknown fault ${unknown.join(', ')} (faults: ${FAULT_KINDS.join(', ')})`);
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
    },
  };
}
