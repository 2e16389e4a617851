import { assertValidTopology, type ConsumerSpec, DiscardPolicyName, DLQ_SUBJECT_PREFIX, domainFilter, durableName, InvalidConfigError, parseEventType, type StreamSpec, type Topology } from '@platform/events';
import { PlatformService, PlatformStream } from './services.js';
import { domainOf, SubjectDomain } from './subjects.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/**
 * Defaults of the platform topology, each overridable per stream or consumer.
 *
 * - `duplicateWindowMs` 5 min: the outbox relay re-publishes a row with the same `Nats-Msg-Id`
 *   when it did not see the ack; its worst case is its backoff cap (30 s) plus a pod restart
 *   (scheduling, image pull, boot, winning the relay lock), a few minutes in total. A re-publish
 *   later than the window is stored twice, and the consumers' inbox (unique event id per
 *   consumer) skips the second copy, so the window is an optimisation, not the guarantee.
 * - `domainMaxAgeMs` 7 days: domain streams keep a week of history for replays, new consumers and
 *   recovery; a consumer down for longer than that loses what expired.
 * - `dlqMaxAgeMs` 30 days: dead letters wait for a human, who may be on holiday.
 * - `domainMaxBytes` / `dlqMaxBytes` 1 GiB each, with `discard: new`: six streams fit the 10 GiB
 *   JetStream volume of the Kubernetes manifests with room to spare. At the limit a stream refuses
 *   new messages instead of dropping old ones, so nothing unconsumed is lost: producers' outbox
 *   rows wait (the relay retries), a dead letter that cannot be stored keeps its message
 *   unacknowledged. Watch stream usage on the server's monitoring endpoint (`/jsz`, port 8222).
 *   Retention stays `limits`: the DLQ can be inspected without consuming it.
 * - `ackWaitMs` 30 s: well above a handler's transaction time under load, so a slow handler is
 *   not redelivered while it still runs; after a crash its messages return within 30 s.
 * - `maxDeliver` 5: the handler runs at most 4 times (retries with `nak` backoff), and the 5th
 *   delivery, reached only when the process died on the 4th, dead-letters without running it.
 * - `maxAckPending` 1000: the backpressure bound across all replicas of a service. Above
 *   replicas × messages a process holds (2 batches × 50 plus a pull buffer of 50 by default, see
 *   `maxUnacknowledgedPerProcess`: 900 at the HPA maximum of 6, checked by the k8s manifest
 *   spec), so it never throttles a healthy flow, yet
 *   a stuck or slow service holds at most 1000 messages in flight instead of the whole backlog,
 *   and a restart redelivers at most that many after the ack wait.
 */
export const TOPOLOGY_DEFAULTS = {
  duplicateWindowMs: 5 * MINUTE,
  domainMaxAgeMs: 7 * DAY,
  dlqMaxAgeMs: 30 * DAY,
  domainMaxBytes: 1024 ** 3,
  dlqMaxBytes: 1024 ** 3,
  ackWaitMs: 30 * SECOND,
  maxDeliver: 5,
  maxAckPending: 1000,
} as const;

/** Stream settings a deployment may change (subjects and names belong to the platform). */
export type StreamOverride = Partial<Pick<StreamSpec, 'description' | 'maxAgeMs' | 'maxBytes' | 'duplicateWindowMs' | 'replicas' | 'discard'>>;
/** Consumer settings a deployment may change (filters and names belong to the platform). */
export type ConsumerOverride = Partial<Pick<ConsumerSpec, 'description' | 'ackWaitMs' | 'maxDeliver' | 'maxAckPending' | 'backoffMs'>>;

export interface PlatformTopologyOptions {
  /** Replicas of every stream: 1 (local, a single server), 3 (k8s) or 5. Default 1. */
  readonly replicas?: number;
  readonly overrides?: {
    /** By stream name, e.g. `{ DLQ: { maxAgeMs: 90 * 86_400_000 } }`. */
    readonly streams?: Readonly<Record<string, StreamOverride>>;
    /** By durable name, e.g. `{ 'analytics-orders': { maxAckPending: 5000 } }`. */
    readonly consumers?: Readonly<Record<string, ConsumerOverride>>;
  };
}

/** `order.confirmed.v1` → `orders.*.confirmed`: every tenant's events of that type (any version). */
export function eventFilter(type: string): string {
  const { producer, name } = parseEventType(type);
  return domainFilter(domainOf(producer), '*', name);
}

const everyEventOf = (producer: keyof typeof SubjectDomain) => domainFilter(SubjectDomain[producer]);

function domainStream(name: PlatformStream, producer: keyof typeof SubjectDomain, description: string): StreamSpec {
  return {
    name,
    subjects: [`${SubjectDomain[producer]}.>`],
    description,
    maxAgeMs: TOPOLOGY_DEFAULTS.domainMaxAgeMs,
    maxBytes: TOPOLOGY_DEFAULTS.domainMaxBytes,
    discard: DiscardPolicyName.New,
    duplicateWindowMs: TOPOLOGY_DEFAULTS.duplicateWindowMs,
  };
}

const STREAMS: readonly StreamSpec[] = [
  domainStream(PlatformStream.Orders, 'order', 'Order events: created, confirmed, cancelled (producer: order)'),
  domainStream(PlatformStream.Payments, 'payment', 'Payment events: authorized, declined, captured, voided, refunded (producer: payment)'),
  domainStream(
    PlatformStream.Inventory,
    'inventory',
    'Inventory events: reserved, reservation-failed, committed, released, stock-low, product-updated (producer: inventory)',
  ),
  domainStream(PlatformStream.Loyalty, 'loyalty', 'Loyalty events: points-awarded (producer: loyalty)'),
  domainStream(PlatformStream.Notifications, 'notification', 'Notification events: sent (producer: notification)'),
  {
    name: PlatformStream.Dlq,
    subjects: [`${DLQ_SUBJECT_PREFIX}.>`],
    description: 'Dead letters: dlq.<durable>.<original subject>, original payload and headers plus the reason',
    maxAgeMs: TOPOLOGY_DEFAULTS.dlqMaxAgeMs,
    maxBytes: TOPOLOGY_DEFAULTS.dlqMaxBytes,
    discard: DiscardPolicyName.New,
    duplicateWindowMs: TOPOLOGY_DEFAULTS.duplicateWindowMs,
  },
];

type ConsumerDeclaration = Pick<ConsumerSpec, 'service' | 'stream' | 'filterSubject' | 'description'>;

const CONSUMERS: readonly ConsumerDeclaration[] = [
  {
    service: PlatformService.Payment,
    stream: PlatformStream.Orders,
    filterSubject: everyEventOf('order'),
    description: 'authorizes on order.created, captures on order.confirmed, voids or refunds on order.cancelled',
  },
  {
    service: PlatformService.Inventory,
    stream: PlatformStream.Orders,
    filterSubject: everyEventOf('order'),
    description: 'reserves on order.created, commits on order.confirmed, releases on order.cancelled',
  },
  {
    service: PlatformService.Order,
    stream: PlatformStream.Payments,
    filterSubject: everyEventOf('payment'),
    description: 'confirms or cancels the order on payment.authorized / payment.declined',
  },
  {
    service: PlatformService.Order,
    stream: PlatformStream.Inventory,
    filterSubject: everyEventOf('inventory'),
    description: 'confirms or cancels on inventory.reserved / reservation-failed; keeps prices from inventory.product-updated',
  },
  {
    service: PlatformService.Notification,
    stream: PlatformStream.Orders,
    filterSubject: everyEventOf('order'),
    description: 'tells the customer about confirmed and cancelled orders (created orders are not notified)',
  },
  {
    // Narrowest filter: stock-low is a small share of inventory traffic. Handling another inventory
    // event later means a wider filter, which the provisioner refuses in place (see docs/topology.md).
    service: PlatformService.Notification,
    stream: PlatformStream.Inventory,
    filterSubject: eventFilter('inventory.stock-low.v1'),
    description: 'alerts operations on inventory.stock-low',
  },
  {
    service: PlatformService.Loyalty,
    stream: PlatformStream.Orders,
    filterSubject: eventFilter('order.confirmed.v1'),
    description: 'awards points on order.confirmed',
  },
  ...(
    [
      [PlatformStream.Orders, 'order'],
      [PlatformStream.Payments, 'payment'],
      [PlatformStream.Inventory, 'inventory'],
      [PlatformStream.Loyalty, 'loyalty'],
      [PlatformStream.Notifications, 'notification'],
    ] as const
  ).map(([stream, producer]) => ({
    service: PlatformService.Analytics,
    stream,
    filterSubject: everyEventOf(producer),
    description: `counts every ${producer} event for the analytics summary`,
  })),
];

/**
 * The reference platform's topology (design brief §4/§5): a stream per producing domain plus
 * `DLQ`, and one durable pull consumer per (service, stream) with the narrowest single filter
 * covering what the service handles. The result is validated and frozen.
 *
 * @throws InvalidConfigError when `replicas` is not 1, 3 or 5, an override names an unknown
 *   stream or consumer, or the overridden topology breaks a rule of `validateTopology`.
 */
export function platformTopology(options: PlatformTopologyOptions = {}): Topology {
  const replicas = options.replicas ?? 1;
  if (![1, 3, 5].includes(replicas)) throw new InvalidConfigError('replicas', `must be 1, 3 or 5, not ${replicas}`);
  const streamOverrides = options.overrides?.streams ?? {};
  const consumerOverrides = options.overrides?.consumers ?? {};

  const streams = STREAMS.map((stream) => ({ ...stream, subjects: [...stream.subjects], replicas, ...streamOverrides[stream.name] }));
  const consumers = CONSUMERS.map((declaration) => {
    const durable = durableName(declaration.service, declaration.stream);
    const override = consumerOverrides[durable];
    return {
      ...declaration,
      durable,
      ackWaitMs: TOPOLOGY_DEFAULTS.ackWaitMs,
      maxDeliver: TOPOLOGY_DEFAULTS.maxDeliver,
      maxAckPending: TOPOLOGY_DEFAULTS.maxAckPending,
      ...override,
      ...(override?.backoffMs ? { backoffMs: [...override.backoffMs] } : {}),
    };
  });

  for (const name of Object.keys(streamOverrides)) {
    if (!streams.some((stream) => stream.name === name)) throw new InvalidConfigError('overrides.streams', `unknown stream "${name}"`);
  }
  for (const name of Object.keys(consumerOverrides)) {
    if (!consumers.some((consumer) => consumer.durable === name)) {
      throw new InvalidConfigError('overrides.consumers', `unknown consumer "${name}"`);
    }
  }

  const topology: Topology = { streams, consumers };
  assertValidTopology(topology);
  return deepFreeze(topology);
}

/**
 * Parses a replica count from configuration (`STREAM_REPLICAS`): 1, 3 or 5, default 1. Even
 * counts are refused: a 4-replica stream tolerates no more failures than a 3-replica one.
 *
 * @throws InvalidConfigError naming `key` on anything else.
 */
export function parseStreamReplicas(raw: string | undefined, key = 'STREAM_REPLICAS'): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const value = raw.trim();
  if (!/^\d+$/.test(value)) throw new InvalidConfigError(key, `"${raw}" is not a number (use 1, 3 or 5)`);
  const replicas = Number(value);
  if (![1, 3, 5].includes(replicas)) throw new InvalidConfigError(key, `must be 1, 3 or 5, not ${replicas}`);
  return replicas;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
