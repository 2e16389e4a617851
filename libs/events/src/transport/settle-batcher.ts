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
  private queue: Settlement[] = [];
  private scheduled = false;

  defer(settlement: Settlement): void {
    this.queue.push(settlement);
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
    for (const settlement of queue) settlement.send();
  };

  /** The message as the processor sees it: delivery info parsed once, settlements batched. */
  wrap(message: JsMsg): InboundMessage {
    return new BatchedSettlementMessage(message, this);
  }
}

/** One queued ack, nak or term. */
interface Settlement {
  send(): void;
}

const ACK = 0;
const NAK = 1;
const TERM = 2;

/** A JetStream message whose settlement goes through a {@link SettleBatcher} (no closures per message). */
class BatchedSettlementMessage implements InboundMessage, Settlement {
  readonly subject: string;
  readonly data: Uint8Array;
  private parsedInfo?: JsMsg['info'];
  private kind = ACK;
  private nakDelay?: number;
  private termReason?: string;

  constructor(
    private readonly message: JsMsg,
    private readonly batcher: SettleBatcher,
  ) {
    this.subject = message.subject;
    this.data = message.data;
  }

  get info(): JsMsg['info'] {
    return (this.parsedInfo ??= this.message.info);
  }

  get headers(): JsMsg['headers'] {
    return this.message.headers;
  }

  ack(): void {
    this.kind = ACK;
    this.batcher.defer(this);
  }

  nak(millis?: number): void {
    this.kind = NAK;
    this.nakDelay = millis;
    this.batcher.defer(this);
  }

  term(reason?: string): void {
    this.kind = TERM;
    this.termReason = reason;
    this.batcher.defer(this);
  }

  working(): void {
    this.message.working();
  }

  send(): void {
    if (this.kind === ACK) this.message.ack();
    else if (this.kind === NAK) this.message.nak(this.nakDelay);
    else this.message.term(this.termReason);
  }
}
