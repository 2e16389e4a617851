import type { EventsRuntime, OutboxEventInput, Transaction } from '@platform/events';
import { describe, expect, it } from 'vitest';
import { ConsumerControl, EventOutbox } from './event-outbox.js';

function fakeRuntime() {
  const appended: [Transaction, OutboxEventInput][] = [];
  const calls: string[] = [];
  const runtime = {
    outbox: { append: async (tx: Transaction, input: OutboxEventInput) => void appended.push([tx, input]) },
    transport: { pauseConsumers: () => calls.push('pause'), resumeConsumers: () => calls.push('resume') },
  } as unknown as EventsRuntime;
  return { runtime, appended, calls };
}

describe('EventOutbox', () => {
  it("appends into the given transaction with the context's tenant and request chain", async () => {
    const { runtime, appended } = fakeRuntime();
    const tx = {} as Transaction;
    const emit = new EventOutbox(runtime).emitter(tx, { tenantId: 'acme', correlationId: 'req-1', traceparent: '00-1-2-01' });
    await emit({ type: 'order.created.v3', aggregateId: 'o-1', data: { n: 1 } });
    await emit({ type: 'order.created.v3', aggregateId: 'o-2', data: { n: 2 }, tenantId: 'other' });
    expect(appended.map(([t]) => t === tx)).toEqual([true, true]);
    expect(appended.map(([, input]) => input)).toEqual([
      { type: 'order.created.v3', aggregateId: 'o-1', data: { n: 1 }, tenantId: 'acme', correlationId: 'req-1', traceparent: '00-1-2-01' },
      { type: 'order.created.v3', aggregateId: 'o-2', data: { n: 2 }, tenantId: 'other', correlationId: 'req-1', traceparent: '00-1-2-01' },
    ]);
  });
});

describe('ConsumerControl', () => {
  it("pauses and resumes the service's consumers, and does nothing without a transport", () => {
    const { runtime, calls } = fakeRuntime();
    const control = new ConsumerControl(runtime);
    control.pause();
    control.resume();
    expect(calls).toEqual(['pause', 'resume']);
    const idle = new ConsumerControl({ transport: undefined } as unknown as EventsRuntime);
    expect(() => (idle.pause(), idle.resume())).not.toThrow();
  });
});
