import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../envelope/create-envelope.js';
import { PermanentError } from '../errors.js';
import type { Transaction } from '../storage/database.js';
import type { DeliveryMetadata } from './event-context.js';
import { JetStreamBatchContext, JetStreamContext } from './jetstream.context.js';
import { BatchMessageContext, MessageContext } from './message-context.js';

const delivery: DeliveryMetadata = { consumer: 'probe-orders', stream: 'ORDERS', subject: 'orders.acme.created', streamSequence: 7, deliveryCount: 1, redriven: false };
const event = createEnvelope({ source: 'order', type: 'order.created.v1', subject: 'o-1', tenantId: 'acme', sequence: 1, data: {} });
const tx = { query: async () => ({ rows: [] }) } as unknown as Transaction;

describe('the transaction of a handler context', () => {
  it('is the message’s transaction, through the Nest contexts too', () => {
    const context = new MessageContext(event, delivery, tx, undefined);
    expect(context.transaction).toBe(tx);
    expect(new JetStreamContext(context).transaction).toBe(tx);
    const batch = new BatchMessageContext(tx, [delivery]);
    expect(batch.transaction).toBe(tx);
    expect(new JetStreamBatchContext(batch).transaction).toBe(tx);
  });

  it('throws a PermanentError naming the consumer when it runs without a database', () => {
    const context = new MessageContext(event, delivery, undefined, undefined);
    expect(context.tx).toBeUndefined();
    expect(() => context.transaction).toThrow(PermanentError);
    expect(() => context.transaction).toThrow(/consumer probe-orders has no database/);
    expect(() => new BatchMessageContext(undefined, [delivery]).transaction).toThrow(/consumer probe-orders has no database/);
  });
});
