import type { DeadLetteredMessage } from '@platform/events';
import { loadEvents } from '../../lib/libraries.js';
import { intOption, OperationError, parseVerbArgs, stringOption, takePositionals, UsageError } from '../args.js';
import { table, truncate } from '../output.js';
import type { Verb } from '../verb.js';

const SUBCOMMANDS = ['list', 'show', 'redrive', 'discard'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const text = new TextDecoder();

/** The payload as JSON when it is JSON, else as text. */
function payloadOf(data: Uint8Array): unknown {
  const raw = text.decode(data);
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function deadLetterJson(m: DeadLetteredMessage, withPayload: boolean) {
  const { data, headers, ...rest } = m;
  return { ...rest, ...(withPayload ? { headers, payload: payloadOf(data) } : {}) };
}

function describe(m: DeadLetteredMessage): string {
  return `#${m.seq} ${m.failedAt} ${m.consumer} ${m.reason} after ${m.deliveryCount} deliveries: ${m.originalSubject} (stream ${m.originalStream} seq ${m.originalSequence})${m.error ? ` — ${m.error}` : ''}`;
}

function sequenceArgument(subcommand: string, raw: string | undefined): number {
  if (raw === undefined) throw new UsageError(`dlq ${subcommand}: missing <seq> (the DLQ stream sequence, from dlq list)`);
  if (!/^[1-9][0-9]*$/.test(raw)) throw new UsageError(`dlq ${subcommand}: <seq> must be a DLQ stream sequence (a positive integer), got "${raw}"`);
  return Number(raw);
}

const OPTIONS = {
  consumer: { type: 'string', value: 'durable', description: 'list: only the dead letters of this durable (payment-orders, …)' },
  limit: { type: 'string', value: 'N', description: 'list: at most N, oldest first (default 20)' },
} as const;

export const dlq: Verb = {
  name: 'dlq',
  summary: 'dead letters: list, show <seq>, redrive <seq> (republish to the original subject, then delete), discard <seq>',
  usage: 'dlq list [--consumer <durable>] [--limit N] | dlq show <seq> | dlq redrive <seq> | dlq discard <seq>   [--json]',
  options: OPTIONS,
  notes: ['npm run dlq -- <subcommand> … is the same as npm run platform -- dlq <subcommand> ….'],
  async run({ argv, nats, print }) {
    const { values, positionals } = parseVerbArgs('dlq', argv, OPTIONS);
    const [subcommand, seqArg, ...extra] = positionals;
    if (!subcommand) throw new UsageError(`dlq: missing subcommand (${SUBCOMMANDS.join(', ')})`);
    if (!SUBCOMMANDS.includes(subcommand as Subcommand)) throw new UsageError(`dlq: unknown subcommand "${subcommand}" (${SUBCOMMANDS.join(', ')})`);
    const json = values['json'] === true;
    if (subcommand === 'list') {
      takePositionals('dlq', positionals, ['subcommand']);
    } else {
      if (values['consumer'] !== undefined || values['limit'] !== undefined) throw new UsageError(`dlq ${subcommand}: --consumer and --limit apply to dlq list only`);
      if (extra.length > 0) throw new UsageError(`dlq ${subcommand}: unexpected argument "${extra[0]}"`);
    }
    const limit = intOption('dlq', values, 'limit', 1, 10_000) ?? 20;
    const seq = subcommand === 'list' ? 0 : sequenceArgument(subcommand, seqArg);

    const { DeadLetterQueue, JetStreamPublisher } = await loadEvents();
    const { js, jsm } = await nats();
    const queue = new DeadLetterQueue({ js, jsm, publisher: new JetStreamPublisher(js) });
    const run = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (error) {
        throw new OperationError(`dlq ${subcommand}: ${(error as Error).message}`, { cause: error });
      }
    };
    switch (subcommand as Subcommand) {
      case 'list': {
        const messages = await run(() => queue.list({ consumer: stringOption(values, 'consumer'), limit }));
        if (json) return print(JSON.stringify(messages.map((m) => deadLetterJson(m, false)), null, 2));
        if (messages.length === 0) return print('dlq: empty');
        return print(
          table(messages, [
            { header: 'SEQ', value: (m) => m.seq, align: 'right' },
            { header: 'FAILED AT', value: (m) => m.failedAt },
            { header: 'CONSUMER', value: (m) => m.consumer },
            { header: 'REASON', value: (m) => m.reason },
            { header: 'DELIVERIES', value: (m) => m.deliveryCount, align: 'right' },
            { header: 'ORIGINAL', value: (m) => `${m.originalStream}#${m.originalSequence}` },
            { header: 'SUBJECT', value: (m) => m.originalSubject },
            { header: 'ERROR', value: (m) => truncate(m.error, 80) },
          ]),
        );
      }
      case 'show': {
        const m = await run(() => queue.get(seq));
        if (json) return print(JSON.stringify(deadLetterJson(m, true), null, 2));
        print(describe(m));
        print(JSON.stringify(m.headers, null, 2));
        const payload = payloadOf(m.data);
        return print(typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2));
      }
      case 'redrive': {
        const ack = await run(() => queue.redrive(seq));
        if (json) return print(JSON.stringify({ redriven: seq, stream: ack.stream, seq: ack.seq }));
        return print(`dlq: #${seq} redriven to ${ack.stream} seq ${ack.seq}`);
      }
      case 'discard': {
        await run(() => queue.discard(seq));
        if (json) return print(JSON.stringify({ discarded: seq }));
        return print(`dlq: #${seq} discarded`);
      }
    }
  },
};
