/**
 * The JetStream topology, declared in code and applied by the provisioner (`provision()`):
 * streams and the durable pull consumers that read them. Services never rewrite shared stream
 * config at boot; they read their consumers from here (`consumersOf`) and expect the provisioner
 * to have created them.
 *
 * What every stream and consumer shares, and is therefore not a field of the specs below:
 * streams use file storage and limits retention ({@link FIXED_STREAM_CONFIG}); consumers are
 * durable pull consumers (no deliver subject) with explicit ack, deliver policy `all`, replay
 * `instant` and exactly one filter subject, the only form nats-server 2.9 supports
 * ({@link FIXED_CONSUMER_CONFIG}).
 */

/** When a stream reaches `maxBytes`: drop the oldest messages, or refuse new ones. */
export const DiscardPolicyName = { Old: 'old', New: 'new' } as const;
export type DiscardPolicyName = (typeof DiscardPolicyName)[keyof typeof DiscardPolicyName];

export interface StreamSpec {
  /**
   * Stream name (`ORDERS`): letters, digits, `_` and `-`. Immutable; a consumer's durable name
   * embeds it in lower case.
   */
  readonly name: string;
  /** Subjects the stream captures, e.g. `['orders.>']`; no two streams may overlap. */
  readonly subjects: readonly string[];
  readonly description: string;
  /**
   * Age after which messages are discarded, milliseconds. Default: unlimited. Lowering it
   * trims the stream at once when the provisioner applies it.
   */
  readonly maxAgeMs?: number;
  /** Size limit of the stream, bytes. Default: unlimited. */
  readonly maxBytes?: number;
  /**
   * Window in which JetStream drops a publish whose `Nats-Msg-Id` it has already stored,
   * milliseconds. Must cover the longest time a publisher may re-send the same message, and may
   * not exceed `maxAgeMs`.
   */
  readonly duplicateWindowMs: number;
  /** Copies of each message in a cluster: 1, 3 or 5. Default 1. Raising it is applied in place. */
  readonly replicas?: number;
  /** Default `old`. */
  readonly discard?: DiscardPolicyName;
}

/**
 * One durable pull consumer: one per (service, stream).
 *
 * The durable name is API. JetStream keeps the consumer's position under that name; a renamed
 * durable is a new consumer that starts from the beginning of the stream (deliver policy `all`)
 * and replays its whole retained history into the service (the inbox de-duplicates what was
 * already applied, but the replay still costs time), while the old durable stays behind and keeps
 * accumulating pending messages until someone deletes it. Never rename one casually.
 */
export interface ConsumerSpec {
  /** Name of the stream the consumer reads; it must be declared in the same topology. */
  readonly stream: string;
  /** `<service>-<stream in lower case>`, e.g. `payment-orders` (see `durableName()`). */
  readonly durable: string;
  /** The service that reads the consumer (a lower-case subject token, e.g. `payment`). */
  readonly service: string;
  /**
   * The one subject filter (nats-server 2.9 has no `filter_subjects`): the narrowest that covers
   * every event the service handles, inside the stream's subjects. The provisioner narrows it in
   * place but refuses to widen or move it, because the consumer keeps its position: a wider
   * filter would never deliver the newly covered messages already behind it.
   */
  readonly filterSubject: string;
  readonly description: string;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it, milliseconds. */
  readonly ackWaitMs: number;
  /**
   * JetStream `max_deliver`: deliveries of one message before JetStream gives up on it and
   * emits the max-deliveries advisory. The transport runs the handler at most `maxDeliver - 1`
   * times and dead-letters on the last delivery.
   */
  readonly maxDeliver: number;
  /**
   * Messages delivered and not yet acknowledged, across every replica of the service, before
   * JetStream stops delivering: the backpressure bound.
   */
  readonly maxAckPending: number;
  /**
   * Redelivery delays after an ack timeout (not after a `nak`), milliseconds. When set, the
   * server uses the first entry as the ack wait, so `ackWaitMs` must equal `backoffMs[0]`, and
   * `maxDeliver` must exceed the number of entries. Default: none (redelivery after `ackWaitMs`).
   */
  readonly backoffMs?: readonly number[];
}

/** Streams and consumers, applied together by `provision()`. */
export interface Topology {
  readonly streams: readonly StreamSpec[];
  readonly consumers: readonly ConsumerSpec[];
}

/** Stream settings the topology does not vary; the provisioner refuses to change them. */
export const FIXED_STREAM_CONFIG = { storage: 'file', retention: 'limits' } as const;

/** Consumer settings the topology does not vary; the provisioner refuses to change them. */
export const FIXED_CONSUMER_CONFIG = { ack_policy: 'explicit', deliver_policy: 'all', replay_policy: 'instant' } as const;
