import type { PublishAck, PublishOptions, Publisher } from '../publisher/publisher.js';

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly msgId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An in-memory {@link Publisher} for unit tests: one stream, de-duplication by `msgId` (no window:
 * ids are remembered for the publisher's lifetime), issue-order storage. `failNext(n)` makes the
 * next n publishes reject, to exercise retry paths. Passes the same conformance suite as
 * {@link JetStreamPublisher}.
 */
export class InMemoryPublisher implements Publisher {
  readonly messages: StoredMessage[] = [];
  private readonly seqById = new Map<string, number>();
  private failures = 0;

  constructor(private readonly streamName = 'MEMORY') {}

  failNext(count: number): void {
    this.failures = count;
  }

  async publish(subject: string, payload: Uint8Array, options: PublishOptions): Promise<PublishAck> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('in-memory publisher: injected failure');
    }
    const existing = this.seqById.get(options.msgId);
    if (existing !== undefined) return { stream: this.streamName, seq: existing, duplicate: true };
    const seq = this.messages.length + 1;
    this.messages.push({ seq, subject, payload, msgId: options.msgId, headers: { ...options.headers } });
    this.seqById.set(options.msgId, seq);
    return { stream: this.streamName, seq, duplicate: false };
  }
}
