import { InvalidConfigError } from '../errors.js';
import { isSubsetOf, patternsOverlap, subjectPatternProblem } from './subject-patterns.js';
import type { ConsumerSpec, StreamSpec, Topology } from './topology.types.js';

const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
const ALLOWED_REPLICAS = [1, 3, 5] as const;

/**
 * The durable name of a service's consumer on a stream: `<service>-<stream in lower case>`
 * (`payment` + `ORDERS` → `payment-orders`). A durable name is API: renaming one makes a new
 * consumer that replays the stream's history (see `ConsumerSpec`).
 */
export function durableName(service: string, stream: string): string {
  return `${service}-${stream.toLowerCase()}`;
}

/**
 * The consumers a service reads, in topology order. A `ConsumerSpec` has the `stream`, `durable`
 * and `maxDeliver` the JetStream transport's consumer bindings need.
 */
export function consumersOf(topology: Topology, service: string): ConsumerSpec[] {
  return topology.consumers.filter((consumer) => consumer.service === service);
}

/** The stream spec of that name, or undefined. */
export function streamOf(topology: Topology, name: string): StreamSpec | undefined {
  return topology.streams.find((stream) => stream.name === name);
}

/**
 * Every rule a topology breaks, as readable sentences; empty when it is valid. Checks names
 * (durable naming rule, uniqueness), subjects (syntax, no overlap between streams, each filter
 * inside its stream's subjects) and limits (positive durations, duplicate window within max age,
 * replicas 1/3/5, backoff consistent with ack wait and max deliver).
 */
export function validateTopology(topology: Topology): string[] {
  const problems: string[] = [];
  const streams = new Map<string, StreamSpec>();
  for (const stream of topology.streams) {
    const at = `stream ${stream.name}`;
    if (!STREAM_NAME_PATTERN.test(stream.name)) problems.push(`${at}: name must be letters, digits, "_" or "-"`);
    if (streams.has(stream.name)) problems.push(`${at}: declared twice`);
    streams.set(stream.name, stream);
    if (stream.subjects.length === 0) problems.push(`${at}: has no subjects`);
    for (const subject of stream.subjects) {
      const problem = subjectPatternProblem(subject);
      if (problem) problems.push(`${at}: subject "${subject}" ${problem}`);
    }
    if (!isPositiveInteger(stream.duplicateWindowMs)) problems.push(`${at}: duplicateWindowMs must be a positive integer`);
    if (stream.maxAgeMs !== undefined) {
      if (!isPositiveInteger(stream.maxAgeMs)) problems.push(`${at}: maxAgeMs must be a positive integer`);
      else if (stream.duplicateWindowMs > stream.maxAgeMs) problems.push(`${at}: duplicateWindowMs exceeds maxAgeMs`);
    }
    if (stream.maxBytes !== undefined && !isPositiveInteger(stream.maxBytes)) problems.push(`${at}: maxBytes must be a positive integer`);
    if (stream.replicas !== undefined && !(ALLOWED_REPLICAS as readonly number[]).includes(stream.replicas)) {
      problems.push(`${at}: replicas must be 1, 3 or 5, not ${stream.replicas}`);
    }
  }
  const all = topology.streams.flatMap((stream) => stream.subjects.map((subject) => ({ stream: stream.name, subject })));
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!;
      const b = all[j]!;
      if (patternsOverlap(a.subject, b.subject)) {
        problems.push(`stream ${a.stream} subject "${a.subject}" overlaps stream ${b.stream} subject "${b.subject}"`);
      }
    }
  }

  const durables = new Set<string>();
  for (const consumer of topology.consumers) {
    const at = `consumer ${consumer.stream}/${consumer.durable}`;
    if (!SERVICE_NAME_PATTERN.test(consumer.service)) problems.push(`${at}: service "${consumer.service}" must be a lower-case token`);
    const expected = durableName(consumer.service, consumer.stream);
    if (consumer.durable !== expected) problems.push(`${at}: durable name must be "${expected}" (<service>-<stream lower-case>)`);
    if (durables.has(consumer.durable)) problems.push(`${at}: declared twice`);
    durables.add(consumer.durable);
    const stream = streams.get(consumer.stream);
    const filterProblem = subjectPatternProblem(consumer.filterSubject);
    if (!stream) problems.push(`${at}: stream ${consumer.stream} is not declared`);
    else if (consumer.filterSubject.includes(',')) {
      problems.push(`${at}: filter "${consumer.filterSubject}" must be one subject (nats-server 2.9 has one filter per consumer)`);
    } else if (filterProblem) problems.push(`${at}: filter "${consumer.filterSubject}" ${filterProblem}`);
    else if (!stream.subjects.some((subject) => isSubsetOf(consumer.filterSubject, subject))) {
      problems.push(`${at}: filter "${consumer.filterSubject}" is not inside the subjects of ${stream.name} (${stream.subjects.join(', ')})`);
    }
    if (!isPositiveInteger(consumer.ackWaitMs)) problems.push(`${at}: ackWaitMs must be a positive integer`);
    if (!isPositiveInteger(consumer.maxDeliver) || consumer.maxDeliver < 2) {
      problems.push(`${at}: maxDeliver must be an integer of at least 2 (the last delivery dead-letters)`);
    }
    if (!isPositiveInteger(consumer.maxAckPending)) problems.push(`${at}: maxAckPending must be a positive integer`);
    const backoff = consumer.backoffMs;
    if (backoff !== undefined && backoff.length > 0) {
      if (!backoff.every(isPositiveInteger)) problems.push(`${at}: backoffMs entries must be positive integers`);
      if (consumer.maxDeliver <= backoff.length) problems.push(`${at}: maxDeliver must exceed the number of backoffMs entries`);
      if (backoff[0] !== consumer.ackWaitMs) problems.push(`${at}: ackWaitMs must equal backoffMs[0] (the server uses it as the ack wait)`);
    }
  }
  return problems;
}

/** Throws {@link InvalidConfigError} (key `topology`) listing every problem of an invalid topology. */
export function assertValidTopology(topology: Topology): void {
  const problems = validateTopology(topology);
  if (problems.length > 0) throw new InvalidConfigError('topology', problems.join('; '));
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
