/**
 * npm run chaos -- [options]: the chaos suite (docs/chaos.md). Exit 0 every invariant holds,
 * 1 a broken invariant (or the run could not be done), 2 bad arguments.
 */
import { runTool } from '../lib/cli.js';
import { parseChaosArgs, USAGE } from './args.js';
import { exitCodeOf, formatReport } from './report.js';
import { runChaos, tearDownRunningPasses } from './runner.js';

/**
 * SIGINT/SIGTERM (Ctrl-C, or a test runner giving up on the CLI): stop the running pass's services
 * and nats-server(s) and drop its databases before exiting 1, instead of leaving them behind. A
 * reader gone from stdout/stderr (EPIPE) must not end the process before that.
 */
function stopOnSignals(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Not once: a second signal (tsx's CLI relays the one a terminal sent the whole group) must not cut the teardown short.
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.error(`chaos: ${signal}: stopping the platform, then exiting 1`);
      void tearDownRunningPasses().finally(() => process.exit(1));
    });
  }
}

/** The run; a bad argument is a UsageError (runTool prints it and its hint, exit 2). */
export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseChaosArgs(argv);
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { options, json } = parsed;
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s ${line}\n`);
  log(
    `chaos: seed ${options.seed} (--seed ${options.seed} runs the same schedule), ${options.storages.join(' then ')}${options.cluster ? ' on a 3-node JetStream cluster' : ''}, ${options.seconds} s at ${options.rate} orders/s`,
  );
  try {
    const report = await runChaos({ ...options, log });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return exitCodeOf(report);
  } catch (error) {
    console.error(`chaos: the run failed: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}

stopOnSignals();
await runTool('chaos', () => main(process.argv.slice(2)));
