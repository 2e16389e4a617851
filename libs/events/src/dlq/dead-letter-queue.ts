import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { NotFoundError } from '../errors.js';
import type { Publisher } from '../publisher/publisher.js';
import { DLQ_SUBJECT_PREFIX } from '../subjects/subjects.js';
import { DlqHeader, REDRIVE_CONSUMER_HEADER, REDRIVEN_FROM_HEADER } from './dead-letter.js';

/** A dead-lettered message as an operator sees it. */
export interface DeadLetteredMessage {
  /** Sequence in the DLQ stream: the handle for redrive and discard. */
  readonly seq: number;
  readonly subject: string;
  readonly reason: string;
  readonly error: string;
  readonly consumer: string;
  readonly originalSubject: string;
  readonly originalStream: string;
  readonly originalSequence: number;
  readonly deliveryCount: number;
  readonly failedAt: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
}

export interface DeadLetterQueueOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Writes the redriven message back to its original subject. */
  readonly publisher: Publisher;
  /** The DLQ stream's name. Default `DLQ`. */
  readonly stream?: string;
}

/**
 * Inspect and redrive dead-lettered messages (an operator API; it needs stream read and delete
 * rights on the DLQ stream, unlike the services). Redrive republishes the original payload and
 * headers to the original subject with a `Redriven-From` header, a `Redrive-Consumer` header
 * naming the durable that dead-lettered it, and a new message id, then deletes the DLQ copy.
 * Every consumer of that subject receives it again (one filter subject per consumer on NATS
 * 2.9: no subject of its own per durable); only the named durable applies it past its ordering
 * checks. The others skip it as a duplicate (inbox) or as stale (its aggregate's sequence row),
 * so a redrive older than their inbox retention does not apply its effects twice.
 */
export class DeadLetterQueue {
  private readonly stream: string;

  constructor(private readonly options: DeadLetterQueueOptions) {
    this.stream = options.stream ?? 'DLQ';
  }

  /** Up to `limit` messages (default 100), oldest first, optionally for one consumer. */
  async list(filter: { consumer?: string; limit?: number } = {}): Promise<DeadLetteredMessage[]> {
    const limit = filter.limit ?? 100;
    const info = await this.options.jsm.streams.info(this.stream);
    if (info.state.messages === 0) return [];
    const subject = filter.consumer ? `${DLQ_SUBJECT_PREFIX}.${filter.consumer}.>` : `${DLQ_SUBJECT_PREFIX}.>`;
    const consumer = await this.options.js.consumers.get(this.stream, { filter_subjects: subject });
    const result: DeadLetteredMessage[] = [];
    try {
      const batch = await consumer.fetch({ max_messages: limit, expires: 1000 });
      for await (const message of batch) {
        result.push(toDeadLettered({ subject: message.subject, seq: message.seq, header: message.headers, data: message.data }));
        if (result.length >= limit || message.info.pending === 0) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return result;
  }

  async get(seq: number): Promise<DeadLetteredMessage> {
    const stored = await this.options.jsm.streams.getMessage(this.stream, { seq }).catch(() => null);
    if (!stored) throw new NotFoundError(`no message ${seq} in stream ${this.stream}`);
    return toDeadLettered(stored);
  }

  /** Republish message `seq` to its original subject and remove it from the DLQ. */
  async redrive(seq: number): Promise<{ stream: string; seq: number }> {
    const message = await this.get(seq);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(message.headers)) {
      if (!key.startsWith('Dlq-') && key !== 'Nats-Msg-Id') headers[key] = value;
    }
    headers[REDRIVEN_FROM_HEADER] = String(seq);
    if (message.consumer) headers[REDRIVE_CONSUMER_HEADER] = message.consumer;
    const ack = await this.options.publisher.publish(message.originalSubject, message.data, {
      msgId: `redrive:${this.stream}:${seq}`,
      headers,
    });
    await this.options.jsm.streams.deleteMessage(this.stream, seq);
    return { stream: ack.stream, seq: ack.seq };
  }

  /** Delete message `seq` from the DLQ without redriving it. */
  async discard(seq: number): Promise<void> {
    await this.get(seq);
    await this.options.jsm.streams.deleteMessage(this.stream, seq);
  }
}

function toDeadLettered(stored: Pick<StoredMsg, 'subject' | 'seq' | 'data'> & { header?: StoredMsg['header'] }): DeadLetteredMessage {
  const headers: Record<string, string> = {};
  if (stored.header) for (const key of stored.header.keys()) headers[key] = stored.header.get(key);
  return {
    seq: stored.seq,
    subject: stored.subject,
    reason: headers[DlqHeader.Reason] ?? '',
    error: headers[DlqHeader.Error] ?? '',
    consumer: headers[DlqHeader.Consumer] ?? '',
    originalSubject: headers[DlqHeader.OriginalSubject] ?? '',
    originalStream: headers[DlqHeader.OriginalStream] ?? '',
    originalSequence: Number(headers[DlqHeader.StreamSequence] ?? 0),
    deliveryCount: Number(headers[DlqHeader.DeliveryCount] ?? 0),
    failedAt: headers[DlqHeader.FailedAt] ?? '',
    headers,
    data: stored.data,
  };
}
