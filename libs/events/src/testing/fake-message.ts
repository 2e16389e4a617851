import type { DeliveryInfo } from '@nats-io/jetstream';
import type { InboundMessage } from '../transport/message-processor.js';

/** A JetStream message double that records how it was settled. */
export class FakeMessage implements InboundMessage {
  settled: { kind: 'ack' } | { kind: 'nak'; delayMs?: number } | { kind: 'term'; reason?: string } | undefined;
  readonly info: DeliveryInfo;
  readonly headers: { get(key: string): string; keys(): string[] };

  constructor(
    readonly subject: string,
    readonly data: Uint8Array,
    options: { deliveryCount?: number; streamSequence?: number; stream?: string; headers?: Record<string, string> } = {},
  ) {
    this.info = {
      domain: '',
      stream: options.stream ?? 'ORDERS',
      consumer: 'fake',
      deliveryCount: options.deliveryCount ?? 1,
      streamSequence: options.streamSequence ?? 1,
      deliverySequence: 1,
      timestampNanos: Date.now() * 1e6,
      pending: 0,
      redelivered: (options.deliveryCount ?? 1) > 1,
    };
    const headers = options.headers ?? {};
    this.headers = { get: (key) => headers[key] ?? '', keys: () => Object.keys(headers) };
  }

  static json(subject: string, value: unknown, options?: ConstructorParameters<typeof FakeMessage>[2]): FakeMessage {
    return new FakeMessage(subject, new TextEncoder().encode(JSON.stringify(value)), options);
  }

  /** How often progress was signalled (`working()`) while the message was kept. */
  workingCalls = 0;

  working(): void {
    this.workingCalls++;
  }

  ack(): void {
    this.settle({ kind: 'ack' });
  }
  nak(delayMs?: number): void {
    this.settle({ kind: 'nak', delayMs });
  }
  term(reason?: string): void {
    this.settle({ kind: 'term', reason });
  }

  private settle(outcome: NonNullable<FakeMessage['settled']>): void {
    if (this.settled) throw new Error(`message settled twice: ${this.settled.kind} then ${outcome.kind}`);
    this.settled = outcome;
  }
}
