import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadLetterPublisher, DlqHeader } from '../../dlq/dead-letter.js';
import { PermanentError } from '../../errors.js';
import { InMemoryPublisher } from '../../testing/in-memory.publisher.js';
import { DeadLettering } from './dead-lettering.js';
import { RetryPolicy } from './retry.js';
import { messageOf, orderEvent, preparedOf, recordingLogger, TEST_CONSUMER } from './stage.fixtures.js';

function stage() {
  const dlq = new InMemoryPublisher('DLQ');
  const logger = recordingLogger();
  const stop = new AbortController();
  const retry = new RetryPolicy({ consumer: TEST_CONSUMER, maxAttempts: 3, backoff: { initialMs: 1000, maxMs: 8000 }, deferDelayMs: 200, logger });
  const deadLettering = new DeadLettering({
    consumer: TEST_CONSUMER,
    publisher: new DeadLetterPublisher(dlq),
    retry,
    backoff: { initialMs: 200, maxMs: 200 },
    ackWaitMs: 300,
    logger,
    stopped: stop.signal,
  });
  return { dlq, logger, stop, deadLettering };
}

const delivered = (deliveryCount: number) => {
  const event = orderEvent();
  const message = messageOf(event, { deliveryCount, streamSequence: 42, headers: { 'X-Tenant': 'acme' } });
  return { message, item: preparedOf(message, event) };
};

describe('DeadLettering', () => {
  afterEach(() => void vi.useRealTimers());

  it('copies the message to the DLQ with its reason, headers and coordinates, then decides its termination', async () => {
    const { dlq, logger, deadLettering } = stage();
    const { item } = delivered(1);
    expect(await deadLettering.send(item, 'permanent_error', new PermanentError('nope'))).toEqual({ outcome: 'dead_letter', settle: 'term', deadLetter: 'permanent_error' });
    expect(dlq.messages).toHaveLength(1);
    expect(dlq.messages[0]!.subject).toBe('dlq.payment-orders.orders.acme.created');
    expect(dlq.messages[0]!.headers).toMatchObject({
      'X-Tenant': 'acme',
      [DlqHeader.Reason]: 'permanent_error',
      [DlqHeader.StreamSequence]: '42',
      [DlqHeader.DeliveryCount]: '1',
      [DlqHeader.ErrorCode]: 'EVT_PERMANENT',
    });
    expect(logger.lines.map((l) => [l.level, l.message, l.fields['reason']])).toEqual([['error', 'event dead-lettered', 'permanent_error']]);
  });

  it('keeps a message whose copy failed for a redelivery, with the retry backoff of its delivery', async () => {
    const { dlq, logger, deadLettering } = stage();
    dlq.failNext(1);
    const decision = await deadLettering.send(delivered(2).item, 'permanent_error', new PermanentError('nope'));
    expect(decision.outcome).toBe('retry');
    const nakMs = (decision.settle as { nakMs: number }).nakMs;
    expect(nakMs).toBeGreaterThanOrEqual(1000);
    expect(nakMs).toBeLessThanOrEqual(2000);
    expect(dlq.messages).toEqual([]);
    expect(logger.lines.map((l) => l.message)).toEqual(['dead-lettering failed, message kept for redelivery']);
  });

  it('on the final delivery, tries the copy again, keeping the message alive meanwhile, until it is made', async () => {
    vi.useFakeTimers();
    const { dlq, logger, deadLettering } = stage();
    dlq.failNext(3);
    const { message, item } = delivered(4);
    const sent = deadLettering.send(item, 'max_deliveries', undefined);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await sent).toMatchObject({ outcome: 'dead_letter', settle: 'term' });
    expect(dlq.messages.map((m) => m.headers[DlqHeader.Reason])).toEqual(['max_deliveries']);
    expect(logger.lines.filter((l) => l.message === 'dead-lettering failed on the final delivery, retrying').map((l) => l.fields['attempt'])).toEqual([1, 2, 3]);
    // three waits of 100-200 ms, a progress signal every 100 ms (a third of the ack wait)
    const signals = message.workingCalls;
    expect(signals).toBeGreaterThanOrEqual(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(message.workingCalls).toBe(signals);
  });

  it('gives a message on its final delivery back at once when the consumer stops', async () => {
    vi.useFakeTimers();
    const { dlq, stop, deadLettering } = stage();
    dlq.failNext(100);
    const sent = deadLettering.send(delivered(4).item, 'max_deliveries', undefined);
    await vi.advanceTimersByTimeAsync(500);
    stop.abort();
    expect(await sent).toEqual({ outcome: 'retry', settle: { nakMs: 0 } });
    expect(dlq.messages).toEqual([]);
  });
});
