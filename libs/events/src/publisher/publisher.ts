/**
 * The low-level publisher the outbox relay and the dead-letter path write through.
 *
 * Guarantees an implementation must give (checked by publisher.conformance.ts):
 * - `publish` resolves only once the broker has durably stored the message (a JetStream PubAck);
 *   it rejects when that cannot be confirmed (timeout, no stream, disconnected). A rejection does
 *   not mean the message was not stored: callers retry with the same `msgId`.
 * - Messages with the same `msgId` inside the stream's duplicate window are stored once; the
 *   second publish resolves with `duplicate: true`.
 * - Publishes issued one after another without awaiting (pipelined) are stored in issue order.
 */
export interface Publisher {
  publish(subject: string, payload: Uint8Array, options: PublishOptions): Promise<PublishAck>;
}

export interface PublishOptions {
  /** De-duplication id (`Nats-Msg-Id`); the event id for events. */
  readonly msgId: string;
  /** Extra headers, e.g. `traceparent`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Milliseconds to wait for the broker's acknowledgement. Default 5000. */
  readonly timeoutMs?: number;
}

export interface PublishAck {
  readonly stream: string;
  /** Stream sequence of the stored message (of the original, for a duplicate). */
  readonly seq: number;
  readonly duplicate: boolean;
}
