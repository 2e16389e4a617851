/**
 * npm run chaos -- [options]: the chaos suite (docs/chaos.md). Exit 0 every invariant holds,
 * 1 a broken invariant (or the run could not be done), 2 bad arguments.
 */
import { UsageError } from '../platform/args.js';
import { parseChaosArgs, USAGE } from './args.js';
import { exitCodeOf, formatReport } from './report.js';
import { runChaos } from './runner.js';

async function flush(stream: NodeJS.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.write('', () => resolve()));
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseChaosArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    for (const line of error.details) console.error(line);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { options, json } = parsed;
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s ${line}\n`);
  log(`chaos: seed ${options.seed} (--seed ${options.seed} runs the same schedule), ${options.storages.join(' then ')}, ${options.seconds} s at ${options.rate} orders/s`);
  try {
    const report = await runChaos({ ...options, log });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return exitCodeOf(report);
  } catch (error) {
    console.error(`chaos: the run failed: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
await flush(process.stdout);
await flush(process.stderr);
process.exit(code);
