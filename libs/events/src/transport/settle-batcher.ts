import type { JsMsg } from '@nats-io/jetstream';
import type { InboundMessage } from './message-processor.js';

/**
 * Coalesces acks, naks and terms into one socket write per event-loop turn. The NATS client
 * flushes its outbound buffer on the microtask after the first command, so settlements issued
 * from separate handler continuations would each cost a write; deferring them to `setImmediate`
 * sends a turn's worth together. Settlement is fire-and-forget anyway (a lost ack is a
 * redelivery the inbox absorbs), so the sub-millisecond delay changes no guarantee.
 */
export class SettleBatcher {
  private queue: Array<() => void> = [];
  private scheduled = false;

  defer(settle: () => void): void {
    this.queue.push(settle);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Send everything queued now (also called before a consumer stops). */
  readonly flush = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const settle of queue) settle();
  };

  /** The message as the processor sees it: delivery info parsed once, settlements batched. */
  wrap(message: JsMsg): InboundMessage {
    const info = message.info;
    return {
      subject: message.subject,
      data: message.data,
      info,
      get headers() {
        return message.headers;
      },
      ack: () => this.defer(() => message.ack()),
      nak: (millis?: number) => this.defer(() => message.nak(millis)),
      term: (reason?: string) => this.defer(() => message.term(reason)),
      working: () => message.working(),
    };
  }
}
