import { describe, expect, it } from 'vitest';
import type { PublishAck, PublishOptions, Publisher } from '../publisher/publisher.js';
import { publishRows, type PublishableRow } from './outbox.publish.js';

const row = (id: number, headers?: Record<string, string>): PublishableRow => ({ id, eventId: `e-${id}`, subject: `orders.acme.n${id}`, payload: `{"n":${id}}`, headers });

/** Records each publish; `fail(msgId)` decides which ones reject, `'throw'` throws instead of rejecting. */
const recordingPublisher = (fail: (msgId: string) => false | 'reject' | 'throw' = () => false) => {
  const calls: Array<{ subject: string; payload: string; options: PublishOptions }> = [];
  const publisher: Publisher = {
    publish(subject, payload, options): Promise<PublishAck> {
      calls.push({ subject, payload: new TextDecoder().decode(payload), options });
      const failure = fail(options.msgId);
      if (failure === 'throw') throw new Error(`cannot publish ${options.msgId}`);
      if (failure === 'reject') return Promise.reject(new Error(`no ack for ${options.msgId}`));
      return Promise.resolve({ stream: 'ORDERS', seq: calls.length, duplicate: false });
    },
  };
  return { publisher, calls };
};

describe('publishRows', () => {
  it('publishes every row in order, with the event id as msg id, its headers and the timeout', async () => {
    const { publisher, calls } = recordingPublisher();
    const outcome = await publishRows(publisher, [row(1, { 'Ce-Type': 'order.created.v1' }), row(2), row(3)], 750);
    expect(outcome).toEqual({ total: 3, published: [1, 2, 3], failed: [], firstError: undefined });
    expect(calls).toEqual([
      { subject: 'orders.acme.n1', payload: '{"n":1}', options: { msgId: 'e-1', headers: { 'Ce-Type': 'order.created.v1' }, timeoutMs: 750 } },
      { subject: 'orders.acme.n2', payload: '{"n":2}', options: { msgId: 'e-2', headers: undefined, timeoutMs: 750 } },
      { subject: 'orders.acme.n3', payload: '{"n":3}', options: { msgId: 'e-3', headers: undefined, timeoutMs: 750 } },
    ]);
  });

  it('lists the acknowledged and the failed rows in row order, with the first failure in row order', async () => {
    const { publisher, calls } = recordingPublisher((msgId) => (msgId === 'e-2' || msgId === 'e-4' ? 'reject' : false));
    const outcome = await publishRows(publisher, [1, 2, 3, 4, 5].map((id) => row(id)), 1000);
    expect(calls).toHaveLength(5); // a failure stops nothing: every row of the batch is published
    expect(outcome.published).toEqual([1, 3, 5]);
    expect(outcome.failed).toEqual([2, 4]);
    expect(outcome.firstError).toEqual(new Error('no ack for e-2'));
  });

  it('counts a publish that throws instead of rejecting as failed', async () => {
    const { publisher } = recordingPublisher((msgId) => (msgId === 'e-1' ? 'throw' : false));
    const outcome = await publishRows(publisher, [row(1), row(2)], 1000);
    expect(outcome).toEqual({ total: 2, published: [2], failed: [1], firstError: new Error('cannot publish e-1') });
  });

  it('publishes nothing for no rows', async () => {
    const { publisher, calls } = recordingPublisher();
    expect(await publishRows(publisher, [], 1000)).toEqual({ total: 0, published: [], failed: [], firstError: undefined });
    expect(calls).toEqual([]);
  });
});
