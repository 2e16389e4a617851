import { describe, expect, it } from 'vitest';
import { DeadLetterPublisher, DlqHeader } from '../dlq/dead-letter.js';
import { createEnvelope } from '../envelope/create-envelope.js';
import type { EventEnvelope } from '../envelope/envelope.js';
import { PermanentError, RetryableError } from '../errors.js';
import { FakeMessage } from '../testing/fake-message.js';
import { InMemoryPublisher } from '../testing/in-memory.publisher.js';
import { testSubjectOf as subjectFor } from '../testing/event-fixtures.js';
import { MessageProcessor, type ConsumerEventRegistry, type EventHandler } from './message-processor.js';

const registry: ConsumerEventRegistry = {
  has: (type) => ['order.created.v1', 'order.created.v2', 'order.confirmed.v1'].includes(type),
  validate: (_type, data) => data,
  upcast: (envelope, target) => ({ ...envelope, type: target, data: { upcastFrom: envelope.type } }),
  subjectOf: subjectFor,
};

function setup(handlers: Record<string, EventHandler>, maxAttempts = 3) {
  const dlq = new InMemoryPublisher('DLQ');
  const processor = new MessageProcessor({
    consumer: 'payment-orders',
    registry,
    handlers: new Map(Object.entries(handlers)),
    deadLetters: new DeadLetterPublisher(dlq),
    maxAttempts,
    retryBackoff: { initialMs: 1000, maxMs: 8000 },
  });
  return { dlq, processor };
}

const event = (type = 'order.created.v1') =>
  createEnvelope({ source: 'order', type, subject: 'o-1', tenantId: 'demo', sequence: 1, data: { n: 1 } });

/** The message of `e` on its own subject (`orders.demo.<event>`), as the relay publishes it. */
const message = (e: EventEnvelope, deliveryCount = 1) => FakeMessage.json(subjectFor(e.type, e.tenantid), e, { deliveryCount, streamSequence: 42 });

describe('MessageProcessor (without a database)', () => {
  it('acks after the handler resolves', async () => {
    const seen: string[] = [];
    const { processor } = setup({ 'order.created.v1': async (e) => void seen.push(e.id) });
    const m = message(event());
    expect(await processor.process(m)).toBe('ack');
    expect(m.settled).toEqual({ kind: 'ack' });
    expect(seen).toHaveLength(1);
  });

  it('naks a retryable failure with a backoff delay growing with the delivery count', async () => {
    const { processor } = setup({ 'order.created.v1': async () => Promise.reject(new RetryableError('timeout')) });
    const first = message(event(), 1);
    const second = message(event(), 2);
    expect(await processor.process(first)).toBe('retry');
    expect(await processor.process(second)).toBe('retry');
    expect(first.settled).toMatchObject({ kind: 'nak' });
    const d1 = (first.settled as { delayMs: number }).delayMs;
    const d2 = (second.settled as { delayMs: number }).delayMs;
    expect(d1).toBeGreaterThanOrEqual(500);
    expect(d1).toBeLessThanOrEqual(1000);
    expect(d2).toBeGreaterThanOrEqual(1000);
    expect(d2).toBeLessThanOrEqual(2000);
  });

  it('treats unknown (non-library) errors as retryable', async () => {
    const { processor } = setup({ 'order.created.v1': async () => Promise.reject(new TypeError('bug')) });
    expect(await processor.process(message(event()))).toBe('retry');
  });

  it('dead-letters on the last attempt with the reason and original coordinates, then terminates', async () => {
    const { processor, dlq } = setup({ 'order.created.v1': async () => Promise.reject(new RetryableError('still down')) });
    const m = message(event(), 3);
    expect(await processor.process(m)).toBe('dead_letter');
    expect(m.settled).toEqual({ kind: 'term' });
    expect(dlq.messages).toHaveLength(1);
    expect(dlq.messages[0]!.subject).toBe('dlq.payment-orders.orders.demo.created');
    expect(dlq.messages[0]!.headers).toMatchObject({
      [DlqHeader.Reason]: 'retries_exhausted',
      [DlqHeader.OriginalSubject]: 'orders.demo.created',
      [DlqHeader.StreamSequence]: '42',
      [DlqHeader.DeliveryCount]: '3',
      [DlqHeader.Consumer]: 'payment-orders',
      [DlqHeader.ErrorCode]: 'EVT_RETRYABLE',
    });
  });

  it('dead-letters a permanent error on the first attempt', async () => {
    const { processor } = setup({ 'order.created.v1': async () => Promise.reject(new PermanentError('nope')) });
    const m = message(event());
    expect(await processor.process(m)).toBe('dead_letter');
    expect(m.settled).toEqual({ kind: 'term' });
  });

  it('dead-letters a message delivered beyond the attempts without running the handler', async () => {
    let calls = 0;
    const { processor } = setup({ 'order.created.v1': async () => void calls++ });
    expect(await processor.process(message(event(), 4))).toBe('dead_letter');
    expect(calls).toBe(0);
  });

  it('upcasts an older version to the version the handler wants', async () => {
    const seen: EventEnvelope[] = [];
    const { processor } = setup({ 'order.created.v2': async (e) => void seen.push(e) });
    expect(await processor.process(message(event('order.created.v1')))).toBe('ack');
    expect(seen[0]).toMatchObject({ type: 'order.created.v2', data: { upcastFrom: 'order.created.v1' } });
  });

  it('dead-letters a newer version than any handler (producer ahead of consumer)', async () => {
    const { processor } = setup({ 'order.created.v1': async () => undefined });
    const m = message(event('order.created.v2'));
    expect(await processor.process(m)).toBe('dead_letter');
    expect(m.settled).toEqual({ kind: 'term' });
  });

  it('acks known types it has no handler for as ignored', async () => {
    const { processor } = setup({ 'order.created.v1': async () => undefined });
    const m = message(event('order.confirmed.v1'));
    expect(await processor.process(m)).toBe('ignored');
    expect(m.settled).toEqual({ kind: 'ack' });
  });

  it('keeps a message it cannot dead-letter (DLQ unreachable): nak, never term', async () => {
    const { processor, dlq } = setup({});
    dlq.failNext(1);
    const m = new FakeMessage('orders.demo.created', new TextEncoder().encode('garbage'));
    expect(await processor.process(m)).toBe('retry');
    expect(m.settled?.kind).toBe('nak');
  });

  it('keeps trying the DLQ copy of a message on its final delivery (JetStream delivers it no more) until it is made', async () => {
    const dlq = new InMemoryPublisher('DLQ');
    const processor = new MessageProcessor({
      consumer: 'payment-orders',
      registry,
      handlers: new Map(),
      deadLetters: new DeadLetterPublisher(dlq),
      maxAttempts: 3,
      unavailableBackoff: { initialMs: 5, maxMs: 10 },
      ackWaitMs: 300,
    });
    dlq.failNext(3);
    const m = message(event(), 4);
    expect(await processor.process(m)).toBe('dead_letter');
    expect(m.settled).toEqual({ kind: 'term' });
    expect(dlq.messages.map((d) => d.headers[DlqHeader.Reason])).toEqual(['max_deliveries']);
  });

  it('dead-letters arbitrary bytes as a malformed envelope', async () => {
    const { processor, dlq } = setup({});
    const m = new FakeMessage('orders.demo.created', new Uint8Array([0xff, 0x00, 0x7b]));
    expect(await processor.process(m)).toBe('dead_letter');
    expect(dlq.messages[0]!.headers[DlqHeader.Reason]).toBe('malformed_envelope');
    expect(dlq.messages[0]!.payload).toEqual(new Uint8Array([0xff, 0x00, 0x7b]));
  });

  it('checks a message in order, the first check that fails naming the reason: attempts, envelope, type, subject, version', async () => {
    const { processor, dlq } = setup({ 'order.created.v1': async () => undefined });
    const garbage = new TextEncoder().encode('garbage');
    const messages = [
      new FakeMessage('orders.demo.created', garbage, { deliveryCount: 4, streamSequence: 1 }),
      new FakeMessage('orders.demo.created', garbage, { streamSequence: 2 }),
      FakeMessage.json('payments.demo.refunded', event('order.refunded.v1'), { streamSequence: 3 }),
      FakeMessage.json('orders.other-tenant.created', event('order.created.v2'), { streamSequence: 4 }),
      FakeMessage.json('orders.demo.created', event('order.created.v2'), { streamSequence: 5 }),
    ];
    const outcomes: string[] = [];
    for (const m of messages) outcomes.push(await processor.process(m));
    expect(outcomes).toEqual(['dead_letter', 'dead_letter', 'dead_letter', 'dead_letter', 'dead_letter']);
    expect(dlq.messages.map((m) => m.headers[DlqHeader.Reason])).toEqual(['max_deliveries', 'malformed_envelope', 'unknown_type', 'subject_mismatch', 'unsupported_version']);
  });

  it('dead-letters an event whose tenant, domain or event name disagree with its subject, without running the handler', async () => {
    let calls = 0;
    const { processor, dlq } = setup({ 'order.created.v1': async () => void calls++ });
    const e = event();
    const wrong = [
      FakeMessage.json('orders.other-tenant.created', e, { streamSequence: 1 }),
      FakeMessage.json('payments.demo.created', e, { streamSequence: 2 }),
      FakeMessage.json('orders.demo.confirmed', e, { streamSequence: 3 }),
    ];
    for (const m of wrong) expect(await processor.process(m)).toBe('dead_letter');
    expect(wrong.map((m) => m.settled)).toEqual([{ kind: 'term' }, { kind: 'term' }, { kind: 'term' }]);
    expect(dlq.messages.map((m) => m.headers[DlqHeader.Reason])).toEqual(['subject_mismatch', 'subject_mismatch', 'subject_mismatch']);
    expect(calls).toBe(0);
    expect(await processor.process(message(e))).toBe('ack');
    expect(calls).toBe(1);
  });
});
