import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors.js';
import { isSubsetOf, patternsOverlap, subjectMatches, subjectPatternProblem } from './subject-patterns.js';
import { assertValidTopology, durableName, validateTopology } from './topology.js';
import type { ConsumerSpec, StreamSpec, Topology } from './topology.types.js';

const stream = (overrides: Partial<StreamSpec> = {}): StreamSpec => ({
  name: 'ORDERS',
  subjects: ['orders.>'],
  description: 'orders',
  duplicateWindowMs: 300_000,
  ...overrides,
});
const consumer = (overrides: Partial<ConsumerSpec> = {}): ConsumerSpec => ({
  stream: 'ORDERS',
  durable: 'payment-orders',
  service: 'payment',
  filterSubject: 'orders.*.*',
  description: 'payment',
  ackWaitMs: 30_000,
  maxDeliver: 5,
  maxAckPending: 1000,
  ...overrides,
});
const problems = (topology: Partial<Topology>) => validateTopology({ streams: [stream()], consumers: [consumer()], ...topology });

describe('durableName', () => {
  it('is <service>-<stream lower-case>', () => {
    expect(durableName('payment', 'ORDERS')).toBe('payment-orders');
    expect(durableName('svc', 'T1A2_ORDERS')).toBe('svc-t1a2_orders');
  });
});

describe('validateTopology', () => {
  it('accepts a valid topology', () => {
    expect(problems({})).toEqual([]);
  });

  it('rejects a durable that breaks the naming rule', () => {
    expect(problems({ consumers: [consumer({ durable: 'payments' })] })).toEqual([
      'consumer ORDERS/payments: durable name must be "payment-orders" (<service>-<stream lower-case>)',
    ]);
  });

  it('rejects duplicate streams and consumers', () => {
    expect(problems({ streams: [stream(), stream({ subjects: ['other.>'] })] })).toContain('stream ORDERS: declared twice');
    expect(problems({ consumers: [consumer(), consumer()] })).toContain('consumer ORDERS/payment-orders: declared twice');
  });

  it('rejects a consumer on an undeclared stream or with a filter outside its stream', () => {
    expect(problems({ consumers: [consumer({ stream: 'PAYMENTS', durable: 'payment-payments' })] })).toEqual([
      'consumer PAYMENTS/payment-payments: stream PAYMENTS is not declared',
    ]);
    expect(problems({ consumers: [consumer({ filterSubject: 'payments.*.*' })] })).toEqual([
      'consumer ORDERS/payment-orders: filter "payments.*.*" is not inside the subjects of ORDERS (orders.>)',
    ]);
    expect(problems({ consumers: [consumer({ filterSubject: 'orders.*.*,orders.*.x' })] })).toEqual([
      'consumer ORDERS/payment-orders: filter "orders.*.*,orders.*.x" must be one subject (nats-server 2.9 has one filter per consumer)',
    ]);
  });

  it('rejects overlapping stream subjects and malformed patterns', () => {
    expect(problems({ streams: [stream(), stream({ name: 'ALL', subjects: ['*.demo.created'] })] })).toEqual([
      'stream ORDERS subject "orders.>" overlaps stream ALL subject "*.demo.created"',
    ]);
    expect(problems({ streams: [stream({ subjects: ['orders.>.x'] })], consumers: [] })).toEqual([
      'stream ORDERS: subject "orders.>.x" has ">" before its last token',
    ]);
    expect(problems({ streams: [stream({ subjects: [] })], consumers: [] })).toEqual(['stream ORDERS: has no subjects']);
  });

  it('rejects bad limits', () => {
    expect(problems({ streams: [stream({ maxAgeMs: 1000 })] })).toEqual(['stream ORDERS: duplicateWindowMs exceeds maxAgeMs']);
    expect(problems({ streams: [stream({ replicas: 2 })] })).toEqual(['stream ORDERS: replicas must be 1, 3 or 5, not 2']);
    expect(problems({ streams: [stream({ duplicateWindowMs: 0 })] })).toEqual(['stream ORDERS: duplicateWindowMs must be a positive integer']);
    expect(problems({ consumers: [consumer({ maxDeliver: 1 })] })).toEqual([
      'consumer ORDERS/payment-orders: maxDeliver must be an integer of at least 2 (the last delivery dead-letters)',
    ]);
    expect(problems({ consumers: [consumer({ ackWaitMs: 1.5 })] })).toEqual(['consumer ORDERS/payment-orders: ackWaitMs must be a positive integer']);
  });

  it('requires a backoff consistent with ack wait and max deliver', () => {
    expect(problems({ consumers: [consumer({ ackWaitMs: 1000, backoffMs: [1000, 5000] })] })).toEqual([]);
    expect(problems({ consumers: [consumer({ backoffMs: [1000, 5000] })] })).toEqual([
      'consumer ORDERS/payment-orders: ackWaitMs must equal backoffMs[0] (the server uses it as the ack wait)',
    ]);
    expect(problems({ consumers: [consumer({ ackWaitMs: 1000, maxDeliver: 2, backoffMs: [1000, 5000] })] })).toEqual([
      'consumer ORDERS/payment-orders: maxDeliver must exceed the number of backoffMs entries',
    ]);
  });

  it('assertValidTopology throws InvalidConfigError listing every problem', () => {
    const invalid = { streams: [stream({ replicas: 2 })], consumers: [consumer({ durable: 'x' })] };
    expect(() => assertValidTopology(invalid)).toThrow(InvalidConfigError);
    expect(() => assertValidTopology(invalid)).toThrow(/replicas must be 1, 3 or 5, not 2; consumer ORDERS\/x: durable name/);
  });
});

describe('subject patterns', () => {
  it('isSubsetOf: every subject of the filter is matched by the pattern', () => {
    expect(isSubsetOf('orders.*.*', 'orders.>')).toBe(true);
    expect(isSubsetOf('orders.*.confirmed', 'orders.*.*')).toBe(true);
    expect(isSubsetOf('orders.>', 'orders.>')).toBe(true);
    expect(isSubsetOf('orders.>', 'orders.*.*')).toBe(false);
    expect(isSubsetOf('orders', 'orders.>')).toBe(false);
    expect(isSubsetOf('orders.*.*', 'orders.*.confirmed')).toBe(false);
    expect(isSubsetOf('payments.*.*', 'orders.>')).toBe(false);
    expect(isSubsetOf('orders.demo', 'orders.*.*')).toBe(false);
  });

  it('patternsOverlap: some subject matches both', () => {
    expect(patternsOverlap('orders.>', 'orders.demo.created')).toBe(true);
    expect(patternsOverlap('*.demo.created', 'orders.>')).toBe(true);
    expect(patternsOverlap('orders.*', 'orders.*.*')).toBe(false);
    expect(patternsOverlap('orders.>', 'payments.>')).toBe(false);
    expect(patternsOverlap('orders.>', 'orders')).toBe(false);
    expect(patternsOverlap('a.b', 'a.b')).toBe(true);
  });

  it('subjectMatches a literal subject', () => {
    expect(subjectMatches('orders.demo.created', 'orders.*.created')).toBe(true);
    expect(subjectMatches('orders.demo.created', 'orders.*.confirmed')).toBe(false);
  });

  it('subjectPatternProblem names what is wrong', () => {
    expect(subjectPatternProblem('orders.>')).toBeUndefined();
    expect(subjectPatternProblem('orders..x')).toBe('has an empty token');
    expect(subjectPatternProblem('orders.a*')).toBe('has a wildcard inside the token "a*"');
    expect(subjectPatternProblem('orders x')).toBe('contains white space');
  });
});
