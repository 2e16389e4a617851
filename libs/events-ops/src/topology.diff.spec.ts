import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { diffConsumer } from './consumer.diff.js';
import { countUnmatched, formatDuration } from './diff.format.js';
import {
  consumerConfigOf,
  diffStream,
  OptInChange,
  removedSubjects,
  streamConfigOf,
} from './topology.diff.js';
import type { ConsumerSpec, StreamSpec } from '@platform/events';

const spec: StreamSpec = {
  name: 'ORDERS',
  subjects: ['orders.>'],
  description: 'Order events',
  maxAgeMs: 7 * 86_400_000,
  duplicateWindowMs: 300_000,
  replicas: 3,
};
const consumerSpec: ConsumerSpec = {
  stream: 'ORDERS',
  durable: 'payment-orders',
  service: 'payment',
  filterSubject: 'orders.*.*',
  description: 'payment',
  ackWaitMs: 30_000,
  maxDeliver: 5,
  maxAckPending: 1000,
};

/** A stream config as nats-server 2.9.10 returns it for `spec` (server-filled defaults included). */
function serverStream(from: StreamSpec, overrides: Partial<StreamConfig> = {}): StreamConfig {
  const { description, ...config } = streamConfigOf(from);
  return {
    ...config,
    ...(description ? { description } : {}),
    max_consumers: -1,
    max_msgs: -1,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    allow_direct: false,
    mirror_direct: false,
    sealed: false,
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
    ...overrides,
  } as StreamConfig;
}

/** A consumer config as nats-server 2.9.10 returns it. */
function serverConsumer(from: ConsumerSpec, overrides: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return { ...consumerConfigOf(from), name: from.durable, max_waiting: 512, num_replicas: 0, ...overrides };
}

describe('diffStream', () => {
  it('finds nothing to do for a stream created from the spec, whatever else the server filled in', () => {
    expect(diffStream(spec, serverStream(spec))).toEqual({ changes: [], refusals: [], update: {} });
    expect(diffStream({ ...spec, description: '', maxAgeMs: undefined, replicas: undefined }, serverStream({ ...spec, description: '', maxAgeMs: undefined, replicas: undefined })).changes).toEqual([]);
  });

  it('ignores settings the spec does not declare', () => {
    expect(diffStream(spec, serverStream(spec, { max_msgs: 10, allow_direct: true, max_msgs_per_subject: 5 })).changes).toEqual([]);
  });

  it('updates the editable fields in place, with readable values and nanosecond durations for the server', () => {
    const current = serverStream(spec, {
      description: 'old',
      max_age: 86_400_000_000_000,
      max_bytes: 1024,
      duplicate_window: 120_000_000_000,
      discard: 'new' as StreamConfig['discard'],
      num_replicas: 1,
    });
    const diff = diffStream(spec, current);
    expect(diff.refusals).toEqual([]);
    expect(diff.changes).toEqual([
      { field: 'description', current: 'old', desired: 'Order events' },
      { field: 'max_age', current: '1d', desired: '7d' },
      { field: 'max_bytes', current: '1024', desired: 'unlimited' },
      { field: 'duplicate_window', current: '2m', desired: '5m' },
      { field: 'discard', current: 'new', desired: 'old' },
      { field: 'num_replicas', current: '1', desired: '3' },
    ]);
    expect(diff.update).toEqual({
      description: 'Order events',
      max_age: 604_800_000_000_000,
      max_bytes: -1,
      duplicate_window: 300_000_000_000,
      discard: 'old',
      num_replicas: 3,
    });
  });

  it('refuses a byte limit below what the stream holds (the server would delete the oldest messages at once), and applies one above it', () => {
    const limited = { ...spec, maxBytes: 1_000_000 };
    const refused = diffStream(limited, serverStream(spec), { storedBytes: 1_000_001 });
    expect(refused.update).toEqual({});
    expect(refused.refusals).toEqual([expect.objectContaining({ field: 'max_bytes', desired: '1000000', reason: expect.stringMatching(/holds 1000001 bytes/) })]);
    expect(diffStream(limited, serverStream(spec), { storedBytes: 1_000_000 }).update).toEqual({ max_bytes: 1_000_000 });
  });

  it('adds subjects in place and removes those that hold no message', () => {
    const wider = { ...spec, subjects: ['orders.>', 'legacy.>'] };
    expect(diffStream(wider, serverStream(spec)).update).toEqual({ subjects: ['orders.>', 'legacy.>'] });
    const current = serverStream(wider);
    expect(removedSubjects(spec, current)).toEqual(['legacy.>']);
    expect(diffStream(spec, current, { messagesOnRemovedSubjects: new Map([['legacy.>', 0]]) }).update).toEqual({ subjects: ['orders.>'] });
  });

  it('refuses to remove a subject that still holds messages, saying how to purge them', () => {
    const current = serverStream({ ...spec, subjects: ['orders.>', 'legacy.>'] });
    const diff = diffStream(spec, current, { messagesOnRemovedSubjects: new Map([['legacy.>', 3]]) });
    expect(diff.update).toEqual({});
    expect(diff.refusals).toEqual([
      expect.objectContaining({
        field: 'subjects',
        current: 'orders.>, legacy.>',
        desired: 'orders.>',
        reason: expect.stringContaining('3 stored message(s) match "legacy.>"'),
        remedy: expect.stringContaining("nats stream purge ORDERS --subject 'legacy.>'"),
      }),
    ]);
  });

  it('refuses storage and retention changes, which JetStream cannot apply', () => {
    const current = serverStream(spec, { storage: 'memory' as StreamConfig['storage'], retention: 'workqueue' as StreamConfig['retention'] });
    const diff = diffStream(spec, current);
    expect(diff.refusals.map((r) => [r.field, r.current, r.desired])).toEqual([
      ['storage', 'memory', 'file'],
      ['retention', 'workqueue', 'limits'],
    ]);
    expect(diff.refusals[0]!.reason).toBe('JetStream cannot change the storage type of an existing stream');
    expect(diff.refusals[0]!.remedy).toMatch(/nats stream rm ORDERS/);
  });

  it('refuses more replicas on a single, non-clustered server', () => {
    const current = serverStream({ ...spec, replicas: 1 });
    expect(diffStream(spec, current, { clustered: false }).refusals).toEqual([
      expect.objectContaining({ field: 'num_replicas', current: '1', desired: '3', remedy: expect.stringContaining('STREAM_REPLICAS=1') }),
    ]);
    expect(diffStream(spec, current, { clustered: true }).update).toEqual({ num_replicas: 3 });
  });

  it('refuses fewer replicas unless opted in', () => {
    const single = { ...spec, replicas: 1 };
    const refused = diffStream(single, serverStream(spec));
    expect(refused.refusals).toEqual([expect.objectContaining({ field: 'num_replicas', current: '3', desired: '1' })]);
    expect(refused.refusals[0]!.remedy).toMatch(/STREAM_REPLICAS=3.*--allow replicas-decrease/);
    const allowed = diffStream(single, serverStream(spec), { allow: new Set([OptInChange.ReplicasDecrease]) });
    expect([allowed.refusals, allowed.update]).toEqual([[], { num_replicas: 1 }]);
  });
});

describe('diffConsumer', () => {
  it('finds nothing to do for a consumer created from the spec', () => {
    expect(diffConsumer(consumerSpec, serverConsumer(consumerSpec))).toEqual({ changes: [], refusals: [], update: {} });
    const withBackoff = { ...consumerSpec, ackWaitMs: 1000, backoffMs: [1000, 5000] };
    expect(diffConsumer(withBackoff, serverConsumer(withBackoff)).changes).toEqual([]);
  });

  it('updates description, ack wait, max deliver, max ack pending and backoff in place', () => {
    const current = serverConsumer(consumerSpec, { description: 'x', ack_wait: 10_000_000_000, max_deliver: -1, max_ack_pending: 500, backoff: [1_000_000_000] });
    const diff = diffConsumer(consumerSpec, current);
    expect(diff.refusals).toEqual([]);
    expect(diff.changes).toEqual([
      { field: 'description', current: 'x', desired: 'payment' },
      { field: 'ack_wait', current: '10s', desired: '30s' },
      { field: 'max_deliver', current: 'unlimited', desired: '5' },
      { field: 'max_ack_pending', current: '500', desired: '1000' },
      { field: 'backoff', current: '1s', desired: '(none)' },
    ]);
    expect(diff.update).toEqual({ description: 'payment', ack_wait: 30_000_000_000, max_deliver: 5, max_ack_pending: 1000, backoff: [] });
  });

  it('refuses a filter change (the durable keeps its position) unless opted in', () => {
    const current = serverConsumer(consumerSpec, { filter_subject: 'orders.*.created' });
    const refused = diffConsumer(consumerSpec, current);
    expect(refused.update).toEqual({});
    expect(refused.refusals).toEqual([
      expect.objectContaining({ field: 'filter_subject', current: 'orders.*.created', desired: 'orders.*.*' }),
    ]);
    expect(refused.refusals[0]!.remedy).toContain('nats consumer rm ORDERS payment-orders');
    expect(refused.refusals[0]!.remedy).toContain('--allow consumer-filter-subject');
    const allowed = diffConsumer(consumerSpec, current, { allow: new Set([OptInChange.ConsumerFilterSubject]) });
    expect([allowed.refusals, allowed.update]).toEqual([[], { filter_subject: 'orders.*.*' }]);
  });

  it('narrows a filter in place, but refuses to move it sideways', () => {
    const narrower = { ...consumerSpec, filterSubject: 'orders.*.confirmed' };
    expect(diffConsumer(narrower, serverConsumer(consumerSpec)).update).toEqual({ filter_subject: 'orders.*.confirmed' });
    const moved = diffConsumer(narrower, serverConsumer(consumerSpec, { filter_subject: 'orders.*.created' }));
    expect(moved.refusals.map((r) => r.field)).toEqual(['filter_subject']);
  });

  it('refuses push consumers and other ack, deliver or replay policies, which 2.9 cannot change', () => {
    const current = serverConsumer(consumerSpec, {
      deliver_subject: 'deliver.here',
      ack_policy: 'all' as ConsumerConfig['ack_policy'],
      deliver_policy: 'new' as ConsumerConfig['deliver_policy'],
      replay_policy: 'original' as ConsumerConfig['replay_policy'],
    });
    expect(diffConsumer(consumerSpec, current).refusals.map((r) => `${r.field}: ${r.current} -> ${r.desired}`)).toEqual([
      'deliver_subject: deliver.here -> (none: pull consumer)',
      'ack_policy: all -> explicit',
      'deliver_policy: new -> all',
      'replay_policy: original -> instant',
    ]);
  });

  it('accepts a durable that platform replay recreated at a start sequence or time: nothing to change or refuse', () => {
    for (const start of [
      { deliver_policy: 'by_start_sequence' as ConsumerConfig['deliver_policy'], opt_start_seq: 42 },
      { deliver_policy: 'by_start_time' as ConsumerConfig['deliver_policy'], opt_start_time: '2026-01-31T12:00:00Z' },
    ]) {
      const diff = diffConsumer(consumerSpec, serverConsumer(consumerSpec, start));
      expect([start.deliver_policy, diff.refusals, diff.changes]).toEqual([start.deliver_policy, [], []]);
    }
  });

  it('reports a consumer without a filter as reading the whole stream', () => {
    const { filter_subject: _, ...current } = serverConsumer(consumerSpec);
    expect(diffConsumer(consumerSpec, current).refusals[0]).toMatchObject({ field: 'filter_subject', current: '(none: whole stream)' });
  });
});

describe('helpers', () => {
  it('countUnmatched counts messages on subjects no kept pattern matches', () => {
    expect(countUnmatched({ 'legacy.a': 2, 'orders.demo.created': 5, 'legacy.b': 1 }, ['orders.>'])).toBe(3);
    expect(countUnmatched({ 'orders.demo.created': 5 }, ['orders.*.*'])).toBe(0);
    expect(countUnmatched({}, [])).toBe(0);
  });

  it('formatDuration picks the largest exact unit', () => {
    expect([0, 1_500_000_000, 30_000_000_000, 300_000_000_000, 7_200_000_000_000, 2_592_000_000_000_000].map(formatDuration)).toEqual([
      'unlimited',
      '1500ms',
      '30s',
      '5m',
      '2h',
      '30d',
    ]);
  });

  it('streamConfigOf and consumerConfigOf fix the policies and convert milliseconds to nanoseconds', () => {
    expect(streamConfigOf(spec)).toMatchObject({ storage: 'file', retention: 'limits', duplicate_window: 300_000_000_000, num_replicas: 3 });
    expect(consumerConfigOf({ ...consumerSpec, ackWaitMs: 1000, backoffMs: [1000, 2000] })).toEqual({
      durable_name: 'payment-orders',
      description: 'payment',
      ack_policy: 'explicit',
      deliver_policy: 'all',
      replay_policy: 'instant',
      filter_subject: 'orders.*.*',
      ack_wait: 1_000_000_000,
      max_deliver: 5,
      max_ack_pending: 1000,
      backoff: [1_000_000_000, 2_000_000_000],
    });
  });
});
