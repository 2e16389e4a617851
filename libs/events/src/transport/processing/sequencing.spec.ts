import { describe, expect, it } from 'vitest';
import { FakeMessage } from '../../testing/fake-message.js';
import { OrderingMode } from '../inbox.js';
import { orderingKeyOf, orderingModeOf, planOf, warnSequenceRowMissing } from './sequencing.js';
import { messageOf, orderEvent, preparedOf, recordingLogger, TEST_CONSUMER } from './stage.fixtures.js';

const prepared = (subject: string, sequence: number) => {
  const event = orderEvent({ subject, sequence });
  return preparedOf(messageOf(event), event);
};

describe('sequencing (the inbox/sequence stage outside the transaction)', () => {
  it('serialises the events of one aggregate (tenant, source, aggregate), and a message that is not an envelope on its own', () => {
    const event = orderEvent({ subject: 'o-7', tenantId: 'acme' });
    expect(orderingKeyOf(messageOf(event), event)).toBe('acme/order/o-7');
    expect(orderingKeyOf(new FakeMessage('orders.acme.created', new Uint8Array(), { streamSequence: 42 }), undefined)).toBe('seq:42');
  });

  it('orders strictly with a database, not at all without one, and refuses ordering without one', () => {
    expect(orderingModeOf(TEST_CONSUMER, undefined, true)).toBe(OrderingMode.Strict);
    expect(orderingModeOf(TEST_CONSUMER, OrderingMode.DropStale, true)).toBe(OrderingMode.DropStale);
    expect(orderingModeOf(TEST_CONSUMER, undefined, false)).toBe(OrderingMode.None);
    expect(() => orderingModeOf(TEST_CONSUMER, OrderingMode.Strict, false)).toThrow(new TypeError('consumer payment-orders: ordering "strict" needs a database'));
  });

  it('plans a batch by aggregate, then sequence, then arrival; without ordering as it arrived', () => {
    const work = [prepared('o-2', 2), prepared('o-1', 3), prepared('o-2', 1), prepared('o-1', 1)];
    const order = (mode: OrderingMode) => planOf(TEST_CONSUMER, mode, work).map((item) => `${item.event.subject}#${item.event.sequence}@${item.index}`);
    expect(order(OrderingMode.Strict)).toEqual(['o-1#1@3', 'o-1#3@1', 'o-2#1@2', 'o-2#2@0']);
    expect(order(OrderingMode.None)).toEqual(['o-2#2@0', 'o-1#3@1', 'o-2#1@2', 'o-1#1@3']);
  });

  it('keys each planned message by its aggregate, with its event id in lower case as PostgreSQL returns it', () => {
    const event = { ...orderEvent({ subject: 'o-1' }), id: '0190B3A2-7D3E-7C11-9A4F-1F2E3D4C5B6A' };
    const [item] = planOf(TEST_CONSUMER, OrderingMode.Strict, [preparedOf(messageOf(event), event)]);
    expect(item).toMatchObject({ key: { consumer: TEST_CONSUMER, source: 'order', tenantId: 'acme', aggregateId: 'o-1' }, eventId: '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a', index: 0 });
  });

  it('warns of an event applied without its aggregate’s sequence row, naming the event', () => {
    const logger = recordingLogger();
    const item = prepared('o-9', 5);
    warnSequenceRowMissing(logger, TEST_CONSUMER, item);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        fields: { consumer: TEST_CONSUMER, type: 'order.created.v1', eventId: item.event!.id, subject: 'o-9', sequence: 5, deliveryCount: 1 },
        message: expect.stringMatching(/^event applied on its final deferral without its aggregate's sequence row/),
      },
    ]);
  });
});
