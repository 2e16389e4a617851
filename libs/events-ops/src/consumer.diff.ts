import { DeliverPolicy, type ConsumerConfig, type ConsumerUpdateConfig } from '@nats-io/jetstream';
import { type ConsumerSpec, FIXED_CONSUMER_CONFIG, isSubsetOf } from '@platform/events';
import { formatDuration, formatDurations, formatLimit, sameList } from './diff.format.js';
import { consumerConfigOf, OptInChange, type ConsumerDiff, type DiffContext, type FieldChange, type Refusal } from './topology.diff.js';

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
