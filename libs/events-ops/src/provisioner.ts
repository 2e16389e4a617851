import {
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { assertValidTopology, type ConsumerSpec, type EventsLogger, silentLogger, type StreamSpec, type Topology, UnsafeTopologyChangeError } from '@platform/events';
import { diffConsumer } from './consumer.diff.js';
import { countUnmatched } from './diff.format.js';
import {
  consumerConfigOf,
  diffStream,
  removedSubjects,
  streamConfigOf,
  type FieldChange,
  type OptInChange,
  type Refusal,
} from './topology.diff.js';

/** What the provisioner did (or, in a dry run, would do) to one stream or consumer. */
export const ProvisionAction = {
  Created: 'created',
  Updated: 'updated',
  Unchanged: 'unchanged',
  Refused: 'refused',
} as const;
export type ProvisionAction = (typeof ProvisionAction)[keyof typeof ProvisionAction];

export interface ProvisionEntry {
  readonly kind: 'stream' | 'consumer';
  /** `ORDERS` for a stream, `ORDERS/payment-orders` for a consumer. */
  readonly name: string;
  readonly action: ProvisionAction;
  /** Fields changed in place (`updated`), or that would have been beside a refusal (`refused`). */
  readonly changes: readonly FieldChange[];
  /** Why the object was left alone (`refused` only). */
  readonly refusals: readonly Refusal[];
}

export interface ProvisionReport {
  /** True when nothing was applied: the entries say what a real run would do. */
  readonly dryRun: boolean;
  /** One entry per stream, then one per consumer, in topology order. */
  readonly entries: readonly ProvisionEntry[];
  /**
   * Durable consumers on the topology's streams that the topology does not declare, as
   * `STREAM/durable` (e.g. left behind by a rename). Never deleted; listed so a human can decide.
   */
  readonly unmanagedConsumers: readonly string[];
}

export interface ProvisionOptions {
  /** Plan only: read the current state, change nothing, return the report. Default false. */
  readonly dryRun?: boolean;
  /** Changes to apply although they are refused by default (see `OptInChange`). Default none. */
  readonly allow?: readonly OptInChange[];
  /** Receives one line per object created or updated (info) or left unchanged (debug). */
  readonly logger?: EventsLogger;
}

interface Plan extends ProvisionEntry {
  readonly apply?: () => Promise<unknown>;
}

/**
 * Makes JetStream match `topology`, idempotently: creates the streams and durable consumers that
 * are missing, updates in place the declared fields that differ and that JetStream can change,
 * and leaves everything else alone. It never deletes a stream, a consumer or a message, and it
 * compares only the fields the topology declares, so settings made by hand elsewhere survive.
 *
 * It plans first and applies after: when any object needs a change JetStream cannot apply safely
 * (storage type, retention, a consumer's filter or policies, dropping subjects that still hold
 * messages, fewer replicas, or more replicas than a single server can keep), nothing at all is
 * changed.
 *
 * @returns the report; a second run against an unchanged topology reports every object `unchanged`.
 * @throws InvalidConfigError when the topology itself is invalid (nothing read or changed).
 * @throws UnsafeTopologyChangeError when a change is refused and `dryRun` is false; its message
 *   names each object, field, current and desired value, and what to do. A dry run returns the
 *   refusals in the report instead.
 * @throws the server's error, with the object named, when reading the state or applying a change
 *   fails (a failure part-way leaves the objects before it applied; re-running is safe).
 */
export async function provision(jsm: JetStreamManager, topology: Topology, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  assertValidTopology(topology);
  const allow = new Set(options.allow ?? []);
  const logger = options.logger ?? silentLogger;
  const dryRun = options.dryRun ?? false;

  const plans: Plan[] = [];
  const existingStreams = new Set<string>();
  const unmanagedConsumers: string[] = [];

  for (const spec of topology.streams) {
    const current = await withContext(`reading stream ${spec.name}`, () => streamInfo(jsm, spec.name));
    if (current) {
      existingStreams.add(spec.name);
      const declared = new Set(topology.consumers.filter((c) => c.stream === spec.name).map((c) => c.durable));
      for (const durable of await withContext(`listing consumers of ${spec.name}`, () => durableNames(jsm, spec.name))) {
        if (!declared.has(durable)) unmanagedConsumers.push(`${spec.name}/${durable}`);
      }
    }
    plans.push(await planStream(jsm, spec, current, allow));
  }
  for (const spec of topology.consumers) {
    const current = existingStreams.has(spec.stream)
      ? await withContext(`reading consumer ${spec.stream}/${spec.durable}`, () => consumerConfig(jsm, spec.stream, spec.durable))
      : undefined;
    plans.push(planConsumer(jsm, spec, current, allow));
  }

  const entries = plans.map(({ kind, name, action, changes, refusals }) => ({ kind, name, action, changes, refusals }));
  const report: ProvisionReport = { dryRun, entries, unmanagedConsumers };
  const refused = entries.filter((entry) => entry.action === ProvisionAction.Refused);
  if (refused.length > 0) {
    for (const entry of refused) logger.error({ object: entry.name, refusals: entry.refusals }, 'topology change refused');
    if (!dryRun) throw new UnsafeTopologyChangeError(describeRefusals(refused));
  }
  if (dryRun) return report;

  for (const plan of plans) {
    if (plan.apply) {
      await withContext(`${plan.action === ProvisionAction.Created ? 'creating' : 'updating'} ${plan.kind} ${plan.name}`, plan.apply);
      logger.info({ object: plan.name, action: plan.action, changes: plan.changes }, `${plan.kind} ${plan.action}`);
    } else {
      logger.debug({ object: plan.name }, `${plan.kind} unchanged`);
    }
  }
  for (const name of unmanagedConsumers) logger.warn({ object: name }, 'consumer not declared in the topology (left alone)');
  return report;
}

/**
 * The refusals of a report as one message: a line per refused field naming the object, the field,
 * the current and desired values, why, and what to do.
 */
export function describeRefusals(entries: readonly ProvisionEntry[]): string {
  const lines = entries.flatMap((entry) =>
    entry.refusals.map(
      (r) => `- ${entry.kind} ${entry.name}: ${r.field} is "${r.current}", topology wants "${r.desired}": ${r.reason}. To proceed: ${r.remedy}.`,
    ),
  );
  return `refusing unsafe JetStream topology changes (nothing was changed):\n${lines.join('\n')}`;
}

/** The report as readable lines, one per object, then a summary line. */
export function formatProvisionReport(report: ProvisionReport): string[] {
  const width = Math.max(0, ...report.entries.map((entry) => entry.name.length), ...report.unmanagedConsumers.map((name) => name.length));
  const verb = (action: ProvisionAction): string => {
    if (!report.dryRun || action === ProvisionAction.Unchanged || action === ProvisionAction.Refused) return action;
    return action === ProvisionAction.Created ? 'would create' : 'would update';
  };
  const lines = report.entries.map((entry) => {
    const head = `${entry.kind.padEnd(8)} ${entry.name.padEnd(width)}  ${verb(entry.action)}`;
    if (entry.action === ProvisionAction.Refused) {
      return `${head}  ${entry.refusals.map((r) => `${r.field} "${r.current}" -> "${r.desired}": ${r.reason}; ${r.remedy}`).join(' | ')}`;
    }
    if (entry.changes.length > 0) return `${head}  ${entry.changes.map((c) => `${c.field} ${c.current} -> ${c.desired}`).join(', ')}`;
    return head;
  });
  for (const name of report.unmanagedConsumers) lines.push(`consumer ${name.padEnd(width)}  not in the topology (left alone)`);
  const count = (action: ProvisionAction) => report.entries.filter((entry) => entry.action === action).length;
  lines.push(
    `${report.dryRun ? 'dry run (nothing changed)' : 'done'}: ${count(ProvisionAction.Created)} ${verb(ProvisionAction.Created)}, ` +
      `${count(ProvisionAction.Updated)} ${verb(ProvisionAction.Updated)}, ${count(ProvisionAction.Unchanged)} unchanged, ` +
      `${count(ProvisionAction.Refused)} refused`,
  );
  return lines;
}

async function planStream(jsm: JetStreamManager, spec: StreamSpec, info: StreamInfo | undefined, allow: ReadonlySet<OptInChange>): Promise<Plan> {
  const base = { kind: 'stream' as const, name: spec.name };
  if (!info) {
    return { ...base, action: ProvisionAction.Created, changes: [], refusals: [], apply: () => jsm.streams.add(streamConfigOf(spec)) };
  }
  const current = info.config;
  const messagesOnRemovedSubjects = new Map<string, number>();
  for (const subject of removedSubjects(spec, current)) {
    const info = await withContext(`counting messages of stream ${spec.name} on ${subject}`, () =>
      jsm.streams.info(spec.name, { subjects_filter: subject }),
    );
    messagesOnRemovedSubjects.set(subject, countUnmatched(info.state.subjects ?? {}, spec.subjects));
  }
  const diff = diffStream(spec, current, { allow, messagesOnRemovedSubjects, clustered: info.cluster !== undefined, storedBytes: info.state.bytes });
  return planFromDiff(base, diff, () => jsm.streams.update(spec.name, diff.update));
}

function planConsumer(jsm: JetStreamManager, spec: ConsumerSpec, current: ConsumerConfig | undefined, allow: ReadonlySet<OptInChange>): Plan {
  const base = { kind: 'consumer' as const, name: `${spec.stream}/${spec.durable}` };
  if (!current) {
    return {
      ...base,
      action: ProvisionAction.Created,
      changes: [],
      refusals: [],
      apply: () => jsm.consumers.add(spec.stream, consumerConfigOf(spec)),
    };
  }
  const diff = diffConsumer(spec, current, { allow });
  return planFromDiff(base, diff, () => jsm.consumers.update(spec.stream, spec.durable, diff.update));
}

function planFromDiff(
  base: Pick<Plan, 'kind' | 'name'>,
  diff: { changes: readonly FieldChange[]; refusals: readonly Refusal[] },
  apply: () => Promise<unknown>,
): Plan {
  if (diff.refusals.length > 0) return { ...base, action: ProvisionAction.Refused, changes: diff.changes, refusals: diff.refusals };
  if (diff.changes.length > 0) return { ...base, action: ProvisionAction.Updated, changes: diff.changes, refusals: [], apply };
  return { ...base, action: ProvisionAction.Unchanged, changes: [], refusals: [] };
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return undefined;
    throw error;
  }
}

async function consumerConfig(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerConfig | undefined> {
  try {
    return (await jsm.consumers.info(stream, durable)).config;
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return undefined;
    throw error;
  }
}

async function durableNames(jsm: JetStreamManager, stream: string): Promise<string[]> {
  const names: string[] = [];
  for await (const info of jsm.consumers.list(stream)) {
    if (info.config.durable_name) names.push(info.config.durable_name);
  }
  return names;
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

async function withContext<T>(what: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
