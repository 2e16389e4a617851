import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../errors.js';
import { deadLetterReasonOf, deferralDelay, RetryPolicy } from './retry.js';
import { messageOf, orderEvent, preparedOf, recordingLogger, TEST_CONSUMER } from './stage.fixtures.js';

function policy(maxAttempts = 3) {
  const logger = recordingLogger();
  return { logger, retry: new RetryPolicy({ consumer: TEST_CONSUMER, maxAttempts, backoff: { initialMs: 1000, maxMs: 8000 }, deferDelayMs: 500, logger }) };
}

const delivered = (deliveryCount: number) => {
  const event = orderEvent();
  return preparedOf(messageOf(event, { deliveryCount }), event);
};

describe('RetryPolicy', () => {
  it('retries a retryable failure with a backoff growing with the delivery count, and logs it', () => {
    const { retry, logger } = policy();
    const first = retry.afterFailure(delivered(1), new RetryableError('timeout'));
    const second = retry.afterFailure(delivered(2), new TypeError('bug'));
    expect([first?.outcome, second?.outcome]).toEqual(['retry', 'retry']);
    const [d1, d2] = [first, second].map((d) => (d!.settle as { nakMs: number }).nakMs);
    expect(d1).toBeGreaterThanOrEqual(500);
    expect(d1).toBeLessThanOrEqual(1000);
    expect(d2).toBeGreaterThanOrEqual(1000);
    expect(d2).toBeLessThanOrEqual(2000);
    expect(logger.lines.map((l) => [l.level, l.message, l.fields['deliveryCount'], l.fields['retryInMs']])).toEqual([
      ['warn', 'event handler failed, will retry', 1, d1],
      ['warn', 'event handler failed, will retry', 2, d2],
    ]);
  });

  it('gives up (the caller dead-letters) on a permanent error or on the last attempt, with the reason', () => {
    const { retry, logger } = policy(3);
    expect(retry.afterFailure(delivered(1), new PermanentError('nope'))).toBeUndefined();
    expect(retry.afterFailure(delivered(3), new RetryableError('still down'))).toBeUndefined();
    expect(logger.lines).toEqual([]);
    expect([deadLetterReasonOf(new PermanentError('nope')), deadLetterReasonOf(new RetryableError('x')), deadLetterReasonOf('thrown')]).toEqual([
      'permanent_error',
      'retries_exhausted',
      'retries_exhausted',
    ]);
  });

  it('counts a delivery beyond the attempts (the process died on the last one) as max_deliveries', () => {
    const { retry } = policy(3);
    expect([3, 4].map((count) => retry.isBeyondAttempts(count))).toEqual([false, true]);
    expect(retry.beyondAttempts()).toMatchObject({ reason: 'max_deliveries', error: undefined });
  });

  it('holds an early event back until its final attempt', () => {
    const { retry } = policy(3);
    expect(retry.holdBack(delivered(1))).toEqual({ outcome: 'deferred', settle: { nakMs: 500 } });
    expect(retry.holdBack(delivered(2))).toEqual({ outcome: 'deferred', settle: { nakMs: 1500 } });
    expect([2, 3].map((count) => retry.isFinalDeferral(count))).toEqual([false, true]);
    expect(retry.holdBack(delivered(3))).toBeUndefined();
  });
});

describe('deferralDelay (how long an early event is held back)', () => {
  it('holds back briefly first (1 s, 2 s), then 1.5 ack waits before the final attempt, so a predecessor redelivered after the ack wait is still in time', () => {
    const ackWaitMs = 30_000;
    const half = ackWaitMs / 2;
    // four attempts: held back on deliveries 1, 2 and 3, the 4th is the final one
    expect([1, 2, 3].map((delivery) => deferralDelay(half, delivery, 4))).toEqual([1_000, 2_000, 45_000]);
    expect(deferralDelay(half, 3, 4)).toBeGreaterThan(ackWaitMs);
    // more attempts: the short ones keep doubling up to the scale, the last is still long
    expect([1, 2, 3, 4, 5].map((delivery) => deferralDelay(half, delivery, 6))).toEqual([1_000, 2_000, 4_000, 8_000, 45_000]);
    // a short scale (tests) caps the short ones
    expect([1, 2, 3].map((delivery) => deferralDelay(50, delivery, 4))).toEqual([50, 50, 150]);
  });
});
