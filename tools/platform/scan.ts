/**
 * Reading streams as the operator: ordered consumers (ephemeral, in memory, no acks, deleted when
 * done), which the operator identity may create on any stream. A scan ends at the stream's end as
 * it was when the scan started; `follow` keeps reading new messages until it is aborted.
 */
import { DeliverPolicy, type JetStreamClient, type JsMsg, type OrderedConsumerOptions } from '@nats-io/jetstream';
import type { EventEnvelope } from '@platform/events';
import { parseIsoTime } from './args.js';
import { events, loadEvents } from '../lib/libraries.js';

/** Where a read starts: the first message, a stream sequence, a time, or only new messages. */
export type StartAt = { readonly kind: 'all' } | { readonly kind: 'seq'; readonly seq: number } | { readonly kind: 'time'; readonly time: Date } | { readonly kind: 'new' };

/** A position in a stream an operator names: the first message, a stream sequence, or a time. */
export type StreamPosition = Exclude<StartAt, { readonly kind: 'new' }>;

/** `earliest`, a stream sequence (1, 2, …) or an ISO time as a position; undefined for anything else (the verb says what it takes). */
export function parseStreamPosition(raw: string): StreamPosition | undefined {
  if (raw === 'earliest') return { kind: 'all' };
  if (/^[1-9][0-9]*$/.test(raw)) return { kind: 'seq', seq: Number(raw) };
  const time = parseIsoTime(raw);
  return time ? { kind: 'time', time } : undefined;
}

export interface ReadOptions {
  readonly stream: string;
  /** One filter subject (nats-server 2.9: one per consumer); none = the whole stream. */
  readonly filter?: string;
  readonly start: StartAt;
}

function orderedOptions(options: ReadOptions): Partial<OrderedConsumerOptions> {
  const base: Partial<OrderedConsumerOptions> = options.filter ? { filter_subjects: options.filter } : {};
  switch (options.start.kind) {
    case 'all':
      return { ...base, deliver_policy: DeliverPolicy.All };
    case 'new':
      return { ...base, deliver_policy: DeliverPolicy.New };
    case 'seq':
      return { ...base, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.start.seq };
    case 'time':
      return { ...base, deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.start.time.toISOString() };
  }
}

/**
 * The messages from `start` to the end of the stream (or to `endSeq`), in stream order. Stop early
 * by breaking out of the loop: the consumer is deleted either way.
 */
export async function* scan(js: JetStreamClient, options: ReadOptions & { readonly endSeq?: number }): AsyncGenerator<JsMsg> {
  await loadEvents();
  const consumer = await js.consumers.get(options.stream, orderedOptions(options));
  try {
    if ((await consumer.info(true)).num_pending === 0) return;
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 512, expires: 2_000 });
      let received = 0;
      let done = false;
      for await (const message of batch) {
        received++;
        if (options.endSeq !== undefined && message.seq > options.endSeq) {
          done = true;
          break;
        }
        yield message;
        if (message.info.pending === 0 || (options.endSeq !== undefined && message.seq >= options.endSeq)) {
          done = true;
          break;
        }
      }
      if (done || received === 0) return;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

/**
 * Every message from `start` on, including those published while it runs, until `signal` aborts
 * or `onMessage` returns false.
 */
export async function follow(js: JetStreamClient, options: ReadOptions, signal: AbortSignal, onMessage: (message: JsMsg) => boolean | void): Promise<void> {
  if (signal.aborted) return;
  await loadEvents();
  const consumer = await js.consumers.get(options.stream, orderedOptions(options));
  const messages = await consumer.consume({ max_messages: 256 });
  const stop = () => messages.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const message of messages) {
      if (onMessage(message) === false || signal.aborted) break;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    messages.stop();
    await consumer.delete().catch(() => undefined);
  }
}

/** A message decoded as a platform envelope, or the reason it is not one. */
export type Decoded = { readonly envelope: EventEnvelope; readonly error?: undefined } | { readonly envelope?: undefined; readonly error: string };

export function decode(data: Uint8Array): Decoded {
  try {
    return { envelope: events().parseEnvelope(data) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The `orderId` of an event's payload, when it has one. */
export function orderIdOf(envelope: EventEnvelope): string | undefined {
  const data = envelope.data as Record<string, unknown> | null;
  const value = data && typeof data === 'object' ? data['orderId'] : undefined;
  return typeof value === 'string' ? value : undefined;
}
