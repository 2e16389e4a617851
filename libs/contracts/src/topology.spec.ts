import { describe, expect, it } from 'vitest';
import { PlatformService } from './services.js';
import { eventFilter, parseStreamReplicas, platformTopology, TOPOLOGY_DEFAULTS } from './topology.js';
import { platformContracts } from './catalogue.js';
import { subjectFor } from './subjects.js';
import { consumersOf, durableName, InvalidConfigError, isSubsetOf, orderingForFilter, OrderingMode, subjectMatches, validateTopology } from '@platform/events';

const topology = platformTopology();
const streamNames = topology.streams.map((s) => s.name);

describe('platformTopology', () => {
  it('gives every narrowed consumer of the platform topology drop-stale, so none waits for events it never sees', () => {
    const narrowed = platformTopology().consumers.filter((c) => !/\.(\*|>)$/.test(c.filterSubject));
    expect(narrowed.length).toBeGreaterThan(0);
    for (const consumer of narrowed) expect(orderingForFilter(consumer.filterSubject)).toBe(OrderingMode.DropStale);
  });

  it('declares the six streams of the design with their subjects', () => {
    expect(topology.streams.map((s) => [s.name, s.subjects])).toEqual([
      ['ORDERS', ['orders.>']],
      ['PAYMENTS', ['payments.>']],
      ['INVENTORY', ['inventory.>']],
      ['LOYALTY', ['loyalty.>']],
      ['NOTIFICATIONS', ['notifications.>']],
      ['DLQ', ['dlq.>']],
    ]);
  });

  it('declares one consumer per (service, stream) with the narrowest filter covering what the service handles', () => {
    expect(topology.consumers.map((c) => `${c.durable} ${c.stream} ${c.filterSubject}`)).toEqual([
      'payment-orders ORDERS orders.*.*',
      'inventory-orders ORDERS orders.*.*',
      'order-payments PAYMENTS payments.*.*',
      'order-inventory INVENTORY inventory.*.*',
      'notification-orders ORDERS orders.*.*',
      'notification-inventory INVENTORY inventory.*.stock-low',
      'loyalty-orders ORDERS orders.*.confirmed',
      'analytics-orders ORDERS orders.*.*',
      'analytics-payments PAYMENTS payments.*.*',
      'analytics-inventory INVENTORY inventory.*.*',
      'analytics-loyalty LOYALTY loyalty.*.*',
      'analytics-notifications NOTIFICATIONS notifications.*.*',
    ]);
  });

  it('passes every rule of validateTopology', () => {
    expect(validateTopology(topology)).toEqual([]);
  });

  it("puts every consumer on a declared stream with a single filter inside that stream's subjects", () => {
    for (const consumer of topology.consumers) {
      expect(streamNames).toContain(consumer.stream);
      const stream = topology.streams.find((s) => s.name === consumer.stream)!;
      expect(stream.subjects.some((subject) => isSubsetOf(consumer.filterSubject, subject)), consumer.durable).toBe(true);
      expect(consumer.filterSubject).toMatch(/^[^\s,]+$/);
    }
    expect(topology.consumers.length).toBeGreaterThan(0);
  });

  it('names every durable <service>-<stream lower-case>, uniquely', () => {
    const durables = topology.consumers.map((c) => c.durable);
    expect(durables.every((d, i) => d === durableName(topology.consumers[i]!.service, topology.consumers[i]!.stream))).toBe(true);
    expect(durables.every((d) => /^[a-z]+-[a-z]+$/.test(d))).toBe(true);
    expect(new Set(durables).size).toBe(durables.length);
    expect(new Set(streamNames).size).toBe(streamNames.length);
  });

  it('captures the subject of every platform contract in exactly one stream', () => {
    const uncaptured = platformContracts
      .map((contract) => subjectFor(contract.type, 'demo'))
      .filter((subject) => topology.streams.filter((s) => s.subjects.some((p) => subjectMatches(subject, p))).length !== 1);
    expect(uncaptured).toEqual([]);
  });

  it('gives every consumer a filter that matches at least one platform event', () => {
    const subjects = platformContracts.map((contract) => subjectFor(contract.type, 'demo'));
    const idle = topology.consumers.filter((c) => !subjects.some((subject) => subjectMatches(subject, c.filterSubject)));
    expect(idle.map((c) => c.durable)).toEqual([]);
  });

  it('uses a 5-minute duplicate window, 30-day DLQ retention, and the consumer defaults', () => {
    expect(new Set(topology.streams.map((s) => s.duplicateWindowMs))).toEqual(new Set([300_000]));
    expect(topology.streams.find((s) => s.name === 'DLQ')!.maxAgeMs).toBe(30 * 86_400_000);
    const dlqAge = topology.streams.find((s) => s.name === 'DLQ')!.maxAgeMs!;
    expect(topology.streams.filter((s) => s.name !== 'DLQ').every((s) => s.maxAgeMs! < dlqAge)).toBe(true);
    expect(new Set(topology.consumers.map((c) => `${c.ackWaitMs}/${c.maxDeliver}/${c.maxAckPending}`))).toEqual(new Set(['30000/5/1000']));
    expect(TOPOLOGY_DEFAULTS.maxDeliver).toBe(5);
  });

  it('takes the replica count from options (1 by default) and refuses even or out-of-range counts', () => {
    expect(new Set(topology.streams.map((s) => s.replicas))).toEqual(new Set([1]));
    expect(new Set(platformTopology({ replicas: 3 }).streams.map((s) => s.replicas))).toEqual(new Set([3]));
    expect(() => platformTopology({ replicas: 4 })).toThrow(InvalidConfigError);
    expect(() => platformTopology({ replicas: 0 })).toThrow(/replicas/);
  });

  it('applies overrides by stream and durable name and refuses unknown names', () => {
    const custom = platformTopology({
      overrides: { streams: { DLQ: { maxAgeMs: 90 * 86_400_000 } }, consumers: { 'analytics-orders': { maxAckPending: 5000 } } },
    });
    expect(custom.streams.find((s) => s.name === 'DLQ')!.maxAgeMs).toBe(90 * 86_400_000);
    expect(custom.consumers.find((c) => c.durable === 'analytics-orders')!.maxAckPending).toBe(5000);
    expect(custom.consumers.find((c) => c.durable === 'payment-orders')!.maxAckPending).toBe(1000);
    expect(() => platformTopology({ overrides: { streams: { ORDER: { maxAgeMs: 1 } } } })).toThrow(/unknown stream "ORDER"/);
    expect(() => platformTopology({ overrides: { consumers: { 'payments-orders': { maxDeliver: 3 } } } })).toThrow(/unknown consumer/);
  });

  it('validates overridden values', () => {
    expect(() => platformTopology({ overrides: { streams: { ORDERS: { maxAgeMs: 60_000 } } } })).toThrow(/duplicateWindowMs exceeds maxAgeMs/);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(topology.streams[0]!.subjects)).toBe(true);
    expect(() => (topology.consumers as unknown as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('consumersOf', () => {
  it("lists a service's consumers", () => {
    expect(consumersOf(topology, PlatformService.Analytics).map((c) => c.stream)).toEqual([
      'ORDERS',
      'PAYMENTS',
      'INVENTORY',
      'LOYALTY',
      'NOTIFICATIONS',
    ]);
    expect(consumersOf(topology, PlatformService.Order).map((c) => c.durable)).toEqual(['order-payments', 'order-inventory']);
    expect(consumersOf(topology, 'nobody')).toEqual([]);
  });
});

describe('eventFilter', () => {
  it('maps a versioned type to its subject across tenants', () => {
    expect(eventFilter('order.confirmed.v1')).toBe('orders.*.confirmed');
    expect(eventFilter('inventory.stock-low.v1')).toBe('inventory.*.stock-low');
    expect(() => eventFilter('order.confirmed')).toThrow(TypeError);
  });
});

describe('parseStreamReplicas', () => {
  it('accepts 1, 3 and 5 and defaults to 1', () => {
    expect(parseStreamReplicas(undefined)).toBe(1);
    expect(parseStreamReplicas('')).toBe(1);
    expect(parseStreamReplicas(' 3 ')).toBe(3);
    expect(parseStreamReplicas('5')).toBe(5);
  });

  it('names the key in its error', () => {
    expect(() => parseStreamReplicas('abc')).toThrow('invalid config STREAM_REPLICAS: "abc" is not a number (use 1, 3 or 5)');
    expect(() => parseStreamReplicas('4')).toThrow('invalid config STREAM_REPLICAS: must be 1, 3 or 5, not 4');
    expect(() => parseStreamReplicas('-1', 'REPLICAS')).toThrow(/invalid config REPLICAS/);
  });
});
