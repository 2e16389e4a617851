import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerUpdateConfig,
  type StreamConfig,
  type StreamUpdateConfig,
} from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/nats-core';
import { type ConsumerSpec, FIXED_CONSUMER_CONFIG, FIXED_STREAM_CONFIG, isSubsetOf, type StreamSpec, subjectMatches } from '@platform/events';

/**
 * Changes the provisioner refuses unless the caller opts in, because the server would apply them
 * but they are easy to make by mistake and costly to undo.
 */
export const OptInChange = {
  /**
   * Widen or move a durable's filter subject in place, from its current position: the matching
   * messages already behind it are never delivered (see `ConsumerSpec.filterSubject`).
   */
  ConsumerFilterSubject: 'consumer-filter-subject',
  /** Lower a stream's replica count (usually a wrong `STREAM_REPLICAS` against a cluster). */
  ReplicasDecrease: 'replicas-decrease',
} as const;
export type OptInChange = (typeof OptInChange)[keyof typeof OptInChange];

/** One field that differs, named as in JetStream's config (`max_age`), values readable (`5m`). */
export interface FieldChange {
  readonly field: string;
  readonly current: string;
  readonly desired: string;
}

/** A change the provisioner will not make, with why and what to do instead. */
export interface Refusal extends FieldChange {
  readonly reason: string;
  readonly remedy: string;
}

export interface StreamDiff {
  /** Fields JetStream can change in place. */
  readonly changes: readonly FieldChange[];
  readonly refusals: readonly Refusal[];
  /** The changed fields in JetStream's form, for `jsm.streams.update`. */
  readonly update: Partial<StreamUpdateConfig>;
}

export interface ConsumerDiff {
  readonly changes: readonly FieldChange[];
  readonly refusals: readonly Refusal[];
  readonly update: Partial<ConsumerUpdateConfig>;
}

export interface DiffContext {
  /** Opt-in changes to treat as updates instead of refusals. */
  readonly allow?: ReadonlySet<OptInChange>;
}

export interface StreamDiffContext extends DiffContext {
  /**
   * For each subject the spec removes: how many stored messages match it and no remaining
   * subject (from stream info with `subjects_filter`). Absent means none.
   */
  readonly messagesOnRemovedSubjects?: ReadonlyMap<string, number>;
  /**
   * Whether the stream lives on a JetStream cluster (its stream info has `cluster`). A single
   * nats-server 2.9 accepts an update to more than one replica without being able to keep them,
   * so raising replicas there is refused. Default true.
   */
  readonly clustered?: boolean;
  /** Bytes the stream holds now (stream info `state.bytes`): a `max_bytes` below it would drop messages. */
  readonly storedBytes?: number;
}

/** The full JetStream config to create a stream from its spec. */
export function streamConfigOf(spec: StreamSpec): StreamConfig {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    ...(spec.description ? { description: spec.description } : {}),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(spec.maxAgeMs ?? 0),
    max_bytes: spec.maxBytes ?? -1,
    duplicate_window: nanos(spec.duplicateWindowMs),
    num_replicas: spec.replicas ?? 1,
    discard: spec.discard ?? DiscardPolicy.Old,
  } as StreamConfig;
}

/** The full JetStream config to create a durable pull consumer from its spec. */
export function consumerConfigOf(spec: ConsumerSpec): ConsumerConfig {
  return {
    durable_name: spec.durable,
    ...(spec.description ? { description: spec.description } : {}),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    ...(spec.backoffMs && spec.backoffMs.length > 0 ? { backoff: spec.backoffMs.map(nanos) } : {}),
  };
}

/** Subjects the stream has and the spec no longer declares. */
export function removedSubjects(spec: StreamSpec, current: Pick<StreamConfig, 'subjects'>): string[] {
  return (current.subjects ?? []).filter((subject) => !spec.subjects.includes(subject));
}

/**
 * Compares a stream spec with the stream's current config, field by field, only over what the
 * spec declares (the server's other settings are left as they are). Storage and retention cannot
 * change in place; removing subjects that still hold messages and lowering replicas are refused
 * (the latter unless opted in); everything else is an in-place update.
 */
export function diffStream(spec: StreamSpec, current: StreamConfig, context: StreamDiffContext = {}): StreamDiff {
  const desired = streamConfigOf(spec);
  const changes: FieldChange[] = [];
  const refusals: Refusal[] = [];
  const update: Partial<StreamUpdateConfig> = {};
  const object = `stream ${spec.name}`;

  for (const field of ['storage', 'retention'] as const) {
    const want = FIXED_STREAM_CONFIG[field];
    if (current[field] !== want) {
      refusals.push({
        field,
        current: String(current[field]),
        desired: want,
        reason: `JetStream cannot change the ${field === 'storage' ? 'storage type' : 'retention policy'} of an existing stream`,
        remedy:
          `recreate it: stop its producers, let every consumer drain it, back it up if its history matters ` +
          `(nats stream backup ${spec.name} DIR), delete it (nats stream rm ${spec.name}) and re-run provision`,
      });
    }
  }

  const currentSubjects = current.subjects ?? [];
  if (!sameSet(currentSubjects, spec.subjects)) {
    const change = { field: 'subjects', current: currentSubjects.join(', '), desired: spec.subjects.join(', ') };
    const held = [...(context.messagesOnRemovedSubjects ?? new Map<string, number>())].filter(([, count]) => count > 0);
    if (held.length > 0) {
      const total = held.reduce((sum, [, count]) => sum + count, 0);
      const purge = held.map(([subject]) => `nats stream purge ${spec.name} --subject '${subject}'`).join('; ');
      refusals.push({
        ...change,
        reason: `${total} stored message(s) match ${held.map(([s]) => `"${s}"`).join(', ')} and no remaining subject: they would stay in ${object} unreachable by any consumer filter until they age out`,
        remedy: `let the consumers drain them, then purge them (${purge}) and re-run, or keep the subject`,
      });
    } else {
      changes.push(change);
      update.subjects = [...spec.subjects];
    }
  }

  if ((current.description ?? '') !== spec.description) {
    changes.push({ field: 'description', current: current.description ?? '', desired: spec.description });
    update.description = spec.description;
  }
  if ((current.max_age ?? 0) !== desired.max_age) {
    changes.push({ field: 'max_age', current: formatDuration(current.max_age ?? 0), desired: formatDuration(desired.max_age) });
    update.max_age = desired.max_age;
  }
  if ((current.max_bytes ?? -1) !== desired.max_bytes) {
    const change = { field: 'max_bytes', current: formatLimit(current.max_bytes ?? -1), desired: formatLimit(desired.max_bytes) };
    const stored = context.storedBytes ?? 0;
    if (desired.max_bytes > 0 && stored > desired.max_bytes) {
      // The server enforces a lowered limit at once by deleting the oldest messages, whatever the discard policy.
      refusals.push({
        ...change,
        reason: `the stream holds ${stored} bytes, more than the new limit: the server would delete its oldest messages at once, consumed or not`,
        remedy: `raise maxBytes for ${spec.name} above ${stored} (topology override), or let the messages age out first`,
      });
    } else {
      changes.push(change);
      update.max_bytes = desired.max_bytes;
    }
  }
  if (current.duplicate_window !== desired.duplicate_window) {
    changes.push({
      field: 'duplicate_window',
      current: formatDuration(current.duplicate_window ?? 0),
      desired: formatDuration(desired.duplicate_window),
    });
    update.duplicate_window = desired.duplicate_window;
  }
  if ((current.discard ?? DiscardPolicy.Old) !== desired.discard) {
    changes.push({ field: 'discard', current: current.discard ?? DiscardPolicy.Old, desired: desired.discard });
    update.discard = desired.discard;
  }
  const currentReplicas = current.num_replicas || 1;
  if (currentReplicas !== desired.num_replicas) {
    const change = { field: 'num_replicas', current: String(currentReplicas), desired: String(desired.num_replicas) };
    if (desired.num_replicas > 1 && context.clustered === false) {
      refusals.push({
        ...change,
        reason: `the server is not clustered: a single nats-server cannot keep ${desired.num_replicas} copies of ${object}`,
        remedy: 'set STREAM_REPLICAS=1 for a single server, or provision a JetStream cluster',
      });
    } else if (desired.num_replicas < currentReplicas && !context.allow?.has(OptInChange.ReplicasDecrease)) {
      refusals.push({
        ...change,
        reason: `scaling ${object} down removes copies of its messages; usually STREAM_REPLICAS (default 1) is wrong for this cluster`,
        remedy: `set STREAM_REPLICAS=${currentReplicas}, or, to scale down on purpose, re-run with --allow ${OptInChange.ReplicasDecrease}`,
      });
    } else {
      changes.push(change);
      update.num_replicas = desired.num_replicas;
    }
  }
  return { changes, refusals, update };
}

/** Deliver policies of a durable that `platform replay` recreated at a start sequence or time. */
const REPLAYED_DELIVER_POLICIES: ReadonlySet<string> = new Set([DeliverPolicy.StartSequence, DeliverPolicy.StartTime]);

/**
 * Compares a consumer spec with the durable's current config over what the spec declares.
 * Description, ack wait, max deliver, max ack pending, backoff and a narrower filter subject
 * change in place; any other filter change is refused unless opted in (the durable keeps its
 * position, so a wider filter skips history); a push consumer or another ack, deliver or replay
 * policy cannot change on nats-server 2.9 and is refused (except the start sequence or time of a
 * durable that `platform replay` recreated).
 */
export function diffConsumer(spec: ConsumerSpec, current: ConsumerConfig, context: DiffContext = {}): ConsumerDiff {
  const desired = consumerConfigOf(spec);
  const changes: FieldChange[] = [];
  const refusals: Refusal[] = [];
  const update: Partial<ConsumerUpdateConfig> = {};
  const object = `${spec.stream} ${spec.durable}`;
  const recreate =
    `stop the ${spec.service} service, delete the durable (nats consumer rm ${object}) and re-run provision: ` +
    `it is recreated and replays ${spec.stream} from the start, and the service's inbox skips the events it already applied`;

  if (current.deliver_subject) {
    refusals.push({
      field: 'deliver_subject',
      current: current.deliver_subject,
      desired: '(none: pull consumer)',
      reason: 'a push consumer cannot become a pull consumer in place',
      remedy: recreate,
    });
  }
  for (const field of ['ack_policy', 'deliver_policy', 'replay_policy'] as const) {
    const want = FIXED_CONSUMER_CONFIG[field];
    // A durable recreated by `platform replay` starts at a sequence or a time: only where it
    // started differs, and that no longer matters once it is created.
    if (field === 'deliver_policy' && REPLAYED_DELIVER_POLICIES.has(String(current[field]))) continue;
    if (current[field] !== want) {
      refusals.push({
        field,
        current: String(current[field]),
        desired: want,
        reason: `nats-server 2.9 cannot change the ${field.replace('_', ' ')} of a consumer`,
        remedy: recreate,
      });
    }
  }

  const currentFilter = current.filter_subject ?? current.filter_subjects?.join(', ') ?? '';
  if (currentFilter !== spec.filterSubject) {
    const change = { field: 'filter_subject', current: currentFilter || '(none: whole stream)', desired: spec.filterSubject };
    // Narrowing only stops deliveries the topology no longer wants; anything else would match
    // messages behind the durable's position that it will never deliver.
    const narrowing = currentFilter !== '' && isSubsetOf(spec.filterSubject, currentFilter);
    if (narrowing || context.allow?.has(OptInChange.ConsumerFilterSubject)) {
      changes.push(change);
      update.filter_subject = spec.filterSubject;
    } else {
      refusals.push({
        ...change,
        reason:
          'the durable keeps its position across a filter change, so the messages the new filter adds that are already behind that position would never be delivered',
        remedy: `${recreate}; or, to apply the filter from the current position only, re-run with --allow ${OptInChange.ConsumerFilterSubject}`,
      });
    }
  }

  if ((current.description ?? '') !== spec.description) {
    changes.push({ field: 'description', current: current.description ?? '', desired: spec.description });
    update.description = spec.description;
  }
  if (current.ack_wait !== desired.ack_wait) {
    changes.push({ field: 'ack_wait', current: formatDuration(current.ack_wait ?? 0), desired: formatDuration(desired.ack_wait!) });
    update.ack_wait = desired.ack_wait;
  }
  if (current.max_deliver !== desired.max_deliver) {
    changes.push({ field: 'max_deliver', current: formatLimit(current.max_deliver ?? -1), desired: String(desired.max_deliver) });
    update.max_deliver = desired.max_deliver;
  }
  if (current.max_ack_pending !== desired.max_ack_pending) {
    changes.push({ field: 'max_ack_pending', current: formatLimit(current.max_ack_pending ?? -1), desired: String(desired.max_ack_pending) });
    update.max_ack_pending = desired.max_ack_pending;
  }
  const currentBackoff = current.backoff ?? [];
  const desiredBackoff = desired.backoff ?? [];
  if (!sameList(currentBackoff, desiredBackoff)) {
    changes.push({ field: 'backoff', current: formatDurations(currentBackoff), desired: formatDurations(desiredBackoff) });
    update.backoff = desiredBackoff;
  }
  return { changes, refusals, update };
}

/**
 * Of `subjects` (a stream's stored subjects with their message counts), the count of messages
 * that no pattern in `kept` matches.
 */
export function countUnmatched(subjects: Readonly<Record<string, number>>, kept: readonly string[]): number {
  let total = 0;
  for (const [subject, count] of Object.entries(subjects)) {
    if (!kept.some((pattern) => subjectMatches(subject, pattern))) total += count;
  }
  return total;
}

/** A duration in nanoseconds as `30s`, `5m`, `7d`, `1500ms`; 0 as `unlimited`. */
export function formatDuration(ns: number): string {
  if (ns <= 0) return 'unlimited';
  const ms = millis(ns);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function formatDurations(list: readonly number[]): string {
  return list.length === 0 ? '(none)' : list.map(formatDuration).join(', ');
}

function formatLimit(value: number): string {
  return value < 0 ? 'unlimited' : String(value);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item)) && b.every((item) => a.includes(item));
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
