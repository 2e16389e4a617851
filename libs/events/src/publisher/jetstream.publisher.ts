import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { PublishAck, PublishOptions, Publisher } from './publisher.js';

/** {@link Publisher} over a JetStream client: one `js.publish` per message, no client-side retry. */
export class JetStreamPublisher implements Publisher {
  constructor(private readonly js: JetStreamClient) {}

  async publish(subject: string, payload: Uint8Array, options: PublishOptions): Promise<PublishAck> {
    let hdrs;
    if (options.headers) {
      hdrs = natsHeaders();
      for (const [key, value] of Object.entries(options.headers)) hdrs.set(key, value);
    }
    const ack = await this.js.publish(subject, payload, {
      msgID: options.msgId,
      headers: hdrs,
      timeout: options.timeoutMs ?? 5000,
      // The relay owns retries (with backoff and ordering); the client must not retry behind it.
      retries: 0,
    });
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }
}
