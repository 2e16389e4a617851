import { millis } from '@nats-io/nats-core';
import { subjectMatches } from '@platform/events';

// How the topology diff shows values (`5m`, `unlimited`) and compares lists.

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

export function formatDurations(list: readonly number[]): string {
  return list.length === 0 ? '(none)' : list.map(formatDuration).join(', ');
}

export function formatLimit(value: number): string {
  return value < 0 ? 'unlimited' : String(value);
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item)) && b.every((item) => a.includes(item));
}

export function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
