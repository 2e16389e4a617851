/**
 * npm run platform -- <verb> [options]: the operator's command line for the platform's JetStream
 * (docs/operations.md). Connects with the NATS settings of connection.ts (as the operator identity:
 * the NATS_URL / NATS_NKEY_SEED_FILE that npm start prints).
 *
 * Exit codes: 0 done; 1 NATS or server failure (unreachable, refused, not found); 2 bad or missing
 * argument or configuration (the message names it).
 */
import { formatHelp, OperationError, UsageError } from './args.js';
import { openNats, type NatsHandle } from './connection.js';
import type { Verb } from './verb.js';

/** The verbs, loaded on use (the events library takes a moment to load: help and typos answer at once). */
export const VERBS: ReadonlyArray<{ readonly name: string; readonly summary: string; load(): Promise<Verb> }> = [
  { name: 'streams', summary: 'every stream: messages, bytes, first/last sequence and time, consumers', load: async () => (await import('./verbs/streams.js')).streams },
  { name: 'consumers', summary: 'every durable: pending, ack pending, redelivered, last delivery and ack, LAGGING / STUCK', load: async () => (await import('./verbs/consumers.js')).consumers },
  { name: 'tail', summary: 'decoded events of a stream or subject, one line each; --follow until Ctrl-C', load: async () => (await import('./verbs/tail.js')).tail },
  { name: 'publish', summary: 'publish one event, validated against its contract, as its producer would', load: async () => (await import('./verbs/publish.js')).publish },
  { name: 'dlq', summary: 'dead letters: list, show <seq>, redrive <seq>, discard <seq>', load: async () => (await import('./verbs/dlq.js')).dlq },
  { name: 'outbox', summary: "each service's outbox: relay leader, unpublished rows, age of the oldest", load: async () => (await import('./verbs/outbox.js')).outbox },
  { name: 'replay', summary: 're-deliver a stream to one durable from a sequence or a time (its inbox skips what it applied)', load: async () => (await import('./verbs/replay.js')).replay },
  { name: 'trace', summary: "an order's events across the streams, in order, with source and time between steps; its dead letters", load: async () => (await import('./verbs/trace.js')).trace },
];

function globalHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return [
    'usage: npm run platform -- <command> [options]     (npm run platform -- <command> --help)',
    '',
    'commands:',
    ...VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'environment: NATS_URL (default nats://127.0.0.1:4222), one of NATS_NKEY_SEED_FILE / NATS_CREDS / NATS_USER + NATS_PASSWORD,',
    '             NATS_TLS_CA, NATS_TLS_CERT + NATS_TLS_KEY (with npm start: the operator identity it prints)',
    'exit codes:  0 done, 1 NATS or server failure, 2 bad argument or configuration',
  ].join('\n');
}

async function flush(stream: NodeJS.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.write('', () => resolve()));
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? console.error : console.log)(globalHelp());
    return name === undefined ? 2 : 0;
  }
  const entry = VERBS.find((v) => v.name === name);
  if (!entry) {
    console.error(`platform: unknown command "${name}" (commands: ${VERBS.map((v) => v.name).join(', ')}; npm run platform -- --help)`);
    return 2;
  }
  const verb = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(formatHelp(verb.usage, verb.summary, verb.options, verb.notes));
    return 0;
  }

  const abort = new AbortController();
  // Ctrl-C: `tail --follow` stops at once and exits 0; anything else still running after 2 s is cut short (130)
  const onSignal = () => {
    abort.abort();
    setTimeout(() => process.exit(130), 2_000).unref();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let handle: Promise<NatsHandle> | undefined;
  try {
    const code = await verb.run({
      argv: rest,
      nats: () => (handle ??= openNats()),
      print: (line) => {
        process.stdout.write(`${line}\n`);
      },
      note: (line) => {
        process.stderr.write(`${line}\n`);
      },
      signal: abort.signal,
    });
    return code ?? 0;
  } catch (error) {
    const say = (message: string) => console.error(message.startsWith(`${name} `) || message.startsWith(`${name}:`) ? `platform ${message}` : `platform ${name}: ${message}`);
    if (error instanceof UsageError) {
      say(error.message);
      for (const line of error.details) console.error(line);
      return 2;
    }
    say(error instanceof OperationError ? error.message : ((error as Error)?.message ?? String(error)));
    if (process.env['DEBUG'] && (error as Error)?.stack) console.error((error as Error).stack);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}

const code = await main(process.argv.slice(2));
await flush(process.stdout);
await flush(process.stderr);
process.exit(code);
