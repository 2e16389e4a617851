import type { EventEnvelope } from '@platform/events';
import { loadEvents } from '../../lib/libraries.js';
import { OperationError, parseVerbArgs, stringOption, takePositionals, timeOption, UsageError } from '../args.js';
import { duration, table, truncate } from '../output.js';
import { decode, orderIdOf, scan, type StartAt } from '../scan.js';
import type { Verb } from '../verb.js';
import { deadLetterJson } from './dlq.js';

/**
 * Where one durable is with one message, from its consumer info and the DLQ: `acked` (at or below
 * its ack floor), `delivered` (above the floor: in flight, or acked while an older one is not),
 * `pending` (not delivered yet), `dead-lettered` (the DLQ holds it for this durable).
 */
export type ConsumerState = 'acked' | 'delivered' | 'pending' | 'dead-lettered';

export interface StepConsumer {
  readonly durable: string;
  readonly state: ConsumerState;
}

export interface TraceStep {
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  readonly envelope: EventEnvelope;
  /** Milliseconds since the previous step (undefined for the first). */
  readonly sincePreviousMs?: number;
  /** Every durable of the stream whose filter takes the message, and where it is with it. */
  readonly consumers: readonly StepConsumer[];
}

interface DurablePosition {
  readonly durable: string;
  readonly filter: string | undefined;
  readonly ackFloor: number;
  readonly delivered: number;
}

export function consumerState(position: DurablePosition, seq: number, deadLettered: boolean): ConsumerState {
  if (deadLettered) return 'dead-lettered';
  if (seq <= position.ackFloor) return 'acked';
  return seq <= position.delivered ? 'delivered' : 'pending';
}

const belongs = (envelope: EventEnvelope, orderId: string, tenant: string | undefined) =>
  (tenant === undefined || envelope.tenantid === tenant) && (envelope.subject === orderId || orderIdOf(envelope) === orderId);

const OPTIONS = {
  tenant: { type: 'string', value: 'tenant', description: "only this tenant's events (also narrows the scan)" },
  since: { type: 'string', value: 'ISO time', description: 'scan only messages stored from this time on (default: everything retained)' },
} as const;

export const trace: Verb = {
  name: 'trace',
  summary: "an order's events across the domain streams, in order, with their source and the time between steps, and its dead letters",
  usage: 'trace <orderId> [--tenant <t>] [--since <ISO time>] [--json]',
  options: OPTIONS,
  notes: [
    'An event belongs to the order when its aggregate (envelope subject) is the order id or its payload has that orderId.',
    'Every domain stream is read from --since (default: its first message) with an ordered consumer: the cost grows with the streams.',
  ],
  async run({ argv, nats, print }) {
    const { values, positionals } = parseVerbArgs('trace', argv, OPTIONS);
    const [orderId] = takePositionals('trace', positionals, ['orderId']);
    if (!orderId!.trim()) throw new UsageError('trace: <orderId> is empty');
    const tenant = stringOption(values, 'tenant');
    const { DeadLetterQueue, JetStreamPublisher, platformTopology, PlatformStream, subjectMatches, TENANT_ID_PATTERN } = await loadEvents();
    if (tenant !== undefined && !TENANT_ID_PATTERN.test(tenant)) throw new UsageError(`trace: --tenant "${tenant}" does not match ${TENANT_ID_PATTERN}`);
    const since = timeOption('trace', values, 'since');
    const start: StartAt = since ? { kind: 'time', time: since } : { kind: 'all' };

    const { js, jsm } = await nats();
    const domainStreams = platformTopology().streams.filter((s) => s.name !== PlatformStream.Dlq);
    const read = async (stream: string, filter: string | undefined, each: (seq: number, subject: string, envelope: EventEnvelope) => void) => {
      try {
        await jsm.streams.info(stream);
      } catch {
        return; // a stream that does not exist holds nothing of the order
      }
      try {
        for await (const message of scan(js, { stream, filter, start })) {
          const { envelope } = decode(message.data);
          if (envelope && belongs(envelope, orderId!, tenant)) each(message.seq, message.subject, envelope);
        }
      } catch (error) {
        throw new OperationError(`trace: reading ${stream}: ${(error as Error).message}`, { cause: error });
      }
    };

    const found: Omit<TraceStep, 'sincePreviousMs' | 'consumers'>[] = [];
    const deadSeqs: number[] = [];
    await Promise.all([
      ...domainStreams.map((spec) => {
        const prefix = /^([a-z0-9-]+)\.>$/.exec(spec.subjects[0] ?? '')?.[1];
        const filter = tenant && prefix && spec.subjects.length === 1 ? `${prefix}.${tenant}.*` : undefined;
        return read(spec.name, filter, (seq, subject, envelope) => found.push({ stream: spec.name, seq, subject, envelope }));
      }),
      read(PlatformStream.Dlq, tenant ? `dlq.*.*.${tenant}.*` : undefined, (seq) => deadSeqs.push(seq)),
    ]);
    found.sort((a, b) => Date.parse(a.envelope.time) - Date.parse(b.envelope.time) || a.envelope.id.localeCompare(b.envelope.id));
    const queue = new DeadLetterQueue({ js, jsm, publisher: new JetStreamPublisher(js) });
    const deadLetters = await Promise.all(deadSeqs.sort((a, b) => a - b).map((seq) => queue.get(seq)));
    // where each durable of the step's stream is with it (read after the scan: nothing it reports is older than the events)
    const positions = new Map<string, DurablePosition[]>();
    for (const stream of new Set(found.map((step) => step.stream))) {
      const list: DurablePosition[] = [];
      for await (const info of jsm.consumers.list(stream)) {
        if (info.config.durable_name) list.push({ durable: info.name, filter: info.config.filter_subject, ackFloor: info.ack_floor.stream_seq, delivered: info.delivered.stream_seq });
      }
      positions.set(stream, list.sort((a, b) => a.durable.localeCompare(b.durable)));
    }
    const dead = new Set(deadLetters.map((m) => `${m.originalStream}#${m.originalSequence}@${m.consumer}`));
    const steps: TraceStep[] = found.map((step, i) => ({
      ...step,
      ...(i === 0 ? {} : { sincePreviousMs: Date.parse(step.envelope.time) - Date.parse(found[i - 1]!.envelope.time) }),
      consumers: (positions.get(step.stream) ?? [])
        .filter((p) => !p.filter || subjectMatches(step.subject, p.filter))
        .map((p) => ({ durable: p.durable, state: consumerState(p, step.seq, dead.has(`${step.stream}#${step.seq}@${p.durable}`)) })),
    }));
    const waiting = steps.filter((step) => step.consumers.some((c) => c.state !== 'acked'));

    if (values['json']) {
      return print(JSON.stringify({ orderId, tenant, events: steps, deadLetters: deadLetters.map((m) => deadLetterJson(m, true)) }, null, 2));
    }
    if (steps.length === 0 && deadLetters.length === 0) {
      return print(`trace: no events of order ${orderId}${tenant ? ` (tenant ${tenant})` : ''} in ${domainStreams.map((s) => s.name).join(', ')} or ${PlatformStream.Dlq}`);
    }
    const total = steps.length > 1 ? Date.parse(steps[steps.length - 1]!.envelope.time) - Date.parse(steps[0]!.envelope.time) : 0;
    print(`trace: order ${orderId}: ${steps.length} events over ${duration(total)}, ${deadLetters.length} dead letters, ${waiting.length} not handled by every consumer yet`);
    if (steps.length > 0) {
      print(
        table(steps, [
          { header: 'TIME', value: (s) => s.envelope.time },
          { header: 'STEP', value: (s) => (s.sincePreviousMs === undefined ? '' : `+${duration(s.sincePreviousMs)}`), align: 'right' },
          { header: 'STREAM#SEQ', value: (s) => `${s.stream}#${s.seq}` },
          { header: 'TYPE', value: (s) => s.envelope.type },
          { header: 'SOURCE', value: (s) => s.envelope.source },
          { header: 'TENANT', value: (s) => s.envelope.tenantid },
          { header: 'AGGREGATE/SEQ', value: (s) => `${s.envelope.subject}/${s.envelope.sequence}` },
          { header: 'CORRELATION', value: (s) => s.envelope.correlationid },
          { header: 'HANDLED', value: (s) => `${s.consumers.filter((c) => c.state === 'acked').length}/${s.consumers.length}`, align: 'right' },
        ]),
      );
    }
    if (waiting.length > 0) {
      // where the order's flow stands still: the consumers that have not acknowledged an event
      print('');
      print('not handled yet:');
      for (const step of waiting) {
        const open = step.consumers.filter((c) => c.state !== 'acked').map((c) => `${c.durable} ${c.state}`);
        print(`  ${step.stream}#${step.seq} ${step.envelope.type}: ${open.join(', ')}`);
      }
    } else if (steps.length > 0) {
      print('');
      print('every consumer acknowledged every event; if the flow should have gone on, the next event may wait in its service\'s outbox (npm run platform -- outbox status)');
    }
    if (deadLetters.length > 0) {
      print('');
      print('dead letters:');
      print(
        table(deadLetters, [
          { header: 'SEQ', value: (m) => m.seq, align: 'right' },
          { header: 'FAILED AT', value: (m) => m.failedAt },
          { header: 'CONSUMER', value: (m) => m.consumer },
          { header: 'REASON', value: (m) => m.reason },
          { header: 'ORIGINAL', value: (m) => `${m.originalStream}#${m.originalSequence}` },
          { header: 'SUBJECT', value: (m) => m.originalSubject },
          { header: 'ERROR', value: (m) => truncate(m.error, 80) },
        ]),
      );
    }
  },
};
