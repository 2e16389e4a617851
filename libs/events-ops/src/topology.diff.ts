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
import { nanos } from '@nats-io/nats-core';
import { type ConsumerSpec, FIXED_STREAM_CONFIG, type StreamSpec } from '@platform/events';
import { formatDuration, formatLimit, sameSet } from './diff.format.js';

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
