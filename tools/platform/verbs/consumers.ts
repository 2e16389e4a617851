import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import { intOption, OperationError, parseVerbArgs, stringOption, takePositionals } from '../args.js';
import { age, isoMillis, table } from '../output.js';
import type { Verb } from '../verb.js';

/** Health of a durable (see docs/operations.md#consumers). */
export const ConsumerStatus = { Ok: 'ok', Lagging: 'LAGGING', Stuck: 'STUCK' } as const;
export type ConsumerStatus = (typeof ConsumerStatus)[keyof typeof ConsumerStatus];

export interface ConsumerRow {
  readonly stream: string;
  readonly durable: string;
  readonly filter: string | undefined;
  /** Messages matching the filter not yet delivered. */
  readonly pending: number;
  /** Delivered, not yet acknowledged. */
  readonly ackPending: number;
  readonly redelivered: number;
  /** Pull requests waiting (0: nobody is pulling right now). */
  readonly waiting: number;
  readonly deliveredSeq: number;
  readonly lastDelivered: string | undefined;
  readonly ackFloorSeq: number;
  readonly lastAcked: string | undefined;
  readonly created: string | undefined;
  readonly status: ConsumerStatus;
}

/**
 * `STUCK`: messages are held unacknowledged (ack pending > 0) and the ack floor has not moved for
 * `staleMs` (a handler hangs, or the process died holding them). `LAGGING`: messages wait
 * (pending > 0) and nothing was delivered for `staleMs` (the service is down or paused, or
 * max_ack_pending is reached). A durable that never delivered or acked counts from its creation.
 */
/** `last_active` of a sequence info: typed as nanoseconds by the client, sent as an RFC 3339 time by the server. */
function lastActive(value: unknown): string | undefined {
  return typeof value === 'string' ? isoMillis(value) : undefined;
}

export function consumerStatus(info: ConsumerInfo, staleMs: number, now = Date.now()): ConsumerStatus {
  const since = (time: string | undefined) => {
    const t = Date.parse(time ?? isoMillis(info.created) ?? '');
    return Number.isNaN(t) ? Infinity : now - t;
  };
  if (info.num_ack_pending > 0 && since(lastActive(info.ack_floor.last_active)) >= staleMs) return ConsumerStatus.Stuck;
  if (info.num_pending > 0 && since(lastActive(info.delivered.last_active)) >= staleMs) return ConsumerStatus.Lagging;
  return ConsumerStatus.Ok;
}

export function consumerRow(info: ConsumerInfo, staleMs: number, now = Date.now()): ConsumerRow {
  return {
    stream: info.stream_name,
    durable: info.name,
    filter: info.config.filter_subject,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    redelivered: info.num_redelivered,
    waiting: info.num_waiting,
    deliveredSeq: info.delivered.stream_seq,
    lastDelivered: lastActive(info.delivered.last_active),
    ackFloorSeq: info.ack_floor.stream_seq,
    lastAcked: lastActive(info.ack_floor.last_active),
    created: isoMillis(info.created),
    status: consumerStatus(info, staleMs, now),
  };
}

export async function listConsumers(jsm: JetStreamManager, options: { stream?: string; staleMs: number; ephemeral: boolean }): Promise<ConsumerRow[]> {
  const names: string[] = [];
  if (options.stream) names.push(options.stream);
  else for await (const info of jsm.streams.list()) names.push(info.config.name);
  const rows: ConsumerRow[] = [];
  const now = Date.now();
  for (const stream of names.sort()) {
    try {
      for await (const info of jsm.consumers.list(stream)) {
        if (options.ephemeral || info.config.durable_name) rows.push(consumerRow(info, options.staleMs, now));
      }
    } catch (error) {
      throw new OperationError(`cannot list the consumers of stream ${stream}: ${(error as Error).message}`, { cause: error });
    }
  }
  return rows.sort((a, b) => a.stream.localeCompare(b.stream) || a.durable.localeCompare(b.durable));
}

const OPTIONS = {
  stream: { type: 'string', value: 'name', description: 'only the consumers of this stream' },
  'stale-after': { type: 'string', value: 'seconds', description: 'no delivery / no ack for this long flags LAGGING / STUCK (default 60)' },
  ephemeral: { type: 'boolean', description: 'also list ephemeral consumers (ordered consumers of tools), not only durables' },
} as const;

export const consumers: Verb = {
  name: 'consumers',
  summary: 'every durable: pending, ack pending, redelivered, last delivery and ack, LAGGING / STUCK',
  usage: 'consumers [--stream <name>] [--stale-after <seconds>] [--ephemeral] [--json]',
  options: OPTIONS,
  notes: [
    'status: STUCK    ack pending > 0 and the ack floor has not moved for --stale-after seconds',
    '        LAGGING  pending > 0 and nothing was delivered for --stale-after seconds',
    '        ok       otherwise (a durable that never delivered or acked counts from its creation)',
  ],
  async run({ argv, nats, print }) {
    const { values, positionals } = parseVerbArgs('consumers', argv, OPTIONS);
    takePositionals('consumers', positionals, []);
    const staleMs = (intOption('consumers', values, 'stale-after', 0, 86_400 * 365) ?? 60) * 1000;
    const stream = stringOption(values, 'stream');
    const { jsm } = await nats();
    if (stream) await jsm.streams.info(stream).catch(() => {
      throw new OperationError(`consumers: no stream ${stream}`);
    });
    const rows = await listConsumers(jsm, { stream, staleMs, ephemeral: values['ephemeral'] === true });
    if (values['json']) return print(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return print('consumers: none');
    const now = Date.now();
    print(
      table(rows, [
        { header: 'STREAM', value: (r) => r.stream },
        { header: 'DURABLE', value: (r) => r.durable },
        { header: 'FILTER', value: (r) => r.filter },
        { header: 'PENDING', value: (r) => r.pending, align: 'right' },
        { header: 'ACK PENDING', value: (r) => r.ackPending, align: 'right' },
        { header: 'REDELIVERED', value: (r) => r.redelivered, align: 'right' },
        { header: 'WAITING', value: (r) => r.waiting, align: 'right' },
        { header: 'DELIVERED', value: (r) => r.deliveredSeq, align: 'right' },
        { header: 'LAST DELIVERY', value: (r) => (r.lastDelivered ? `${age(r.lastDelivered, now)} ago` : 'never') },
        { header: 'ACK FLOOR', value: (r) => r.ackFloorSeq, align: 'right' },
        { header: 'LAST ACK', value: (r) => (r.lastAcked ? `${age(r.lastAcked, now)} ago` : 'never') },
        { header: 'STATUS', value: (r) => r.status },
      ]),
    );
  },
};
