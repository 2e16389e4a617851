import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeMessage } from '../../testing/fake-message.js';
import { DatabasePause } from './database-pause.js';
import { recordingLogger, TEST_CONSUMER } from './stage.fixtures.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function setup() {
  const logger = recordingLogger();
  const stop = new AbortController();
  const pause = new DatabasePause({ consumer: TEST_CONSUMER, backoff: { initialMs: 200, maxMs: 200 }, ackWaitMs: 300, logger, stopped: stop.signal });
  const items = [{ message: new FakeMessage('orders.acme.created', new Uint8Array()) }, { message: new FakeMessage('orders.acme.created', new Uint8Array()) }];
  return { logger, stop, pause, items };
}

/** An attempt that fails with `errors` in turn, then resolves 'done'; it records whether the pause held at each call. */
function attempts(pause: DatabasePause, ...errors: unknown[]) {
  const unavailableAtCall: boolean[] = [];
  const attempt = async () => {
    unavailableAtCall.push(pause.isUnavailable);
    if (errors.length > 0) throw errors.shift();
    return 'done';
  };
  return { attempt, unavailableAtCall };
}

const outcomes = { failed: async (error: unknown) => `failed: ${(error as Error).message}`, stopped: () => 'stopped' };

describe('DatabasePause', () => {
  afterEach(() => void vi.useRealTimers());

  it('keeps a batch while the database is unavailable, signalling progress, and tries it again until it answers', async () => {
    vi.useFakeTimers();
    const { logger, pause, items } = setup();
    const { attempt, unavailableAtCall } = attempts(pause, refused(), refused());
    const run = pause.run(items, attempt, outcomes);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await run).toBe('done');
    expect(unavailableAtCall).toEqual([false, true, true]);
    expect(pause.isUnavailable).toBe(false);
    // two waits of 100-200 ms, a progress signal every 100 ms (a third of the ack wait)
    expect(items.map((item) => item.message.workingCalls >= 1)).toEqual([true, true]);
    expect(items.map((item) => item.message.settled)).toEqual([undefined, undefined]);
    expect(logger.lines.map((l) => [l.level, l.message, l.fields['attempt'] ?? l.fields['attempts']])).toEqual([
      ['warn', 'database unavailable: batch kept, retrying', 1],
      ['warn', 'database unavailable: batch kept, retrying', 2],
      ['info', 'database available again: batch handled', 2],
    ]);
    const signals = items[0]!.message.workingCalls;
    await vi.advanceTimersByTimeAsync(1000);
    expect(items[0]!.message.workingCalls).toBe(signals);
  });

  it('hands any other failure to its caller at once, without holding the batch', async () => {
    const { logger, pause, items } = setup();
    const { attempt, unavailableAtCall } = attempts(pause, new Error('deadlock detected'));
    expect(await pause.run(items, attempt, outcomes)).toBe('failed: deadlock detected');
    expect(unavailableAtCall).toEqual([false]);
    expect(logger.lines).toEqual([]);
  });

  it('gives a kept batch back when the consumer stops', async () => {
    vi.useFakeTimers();
    const { stop, pause, items } = setup();
    const { attempt, unavailableAtCall } = attempts(pause, refused(), refused(), refused());
    const run = pause.run(items, attempt, outcomes);
    await vi.advanceTimersByTimeAsync(50);
    expect(pause.isUnavailable).toBe(true);
    stop.abort();
    expect(await run).toBe('stopped');
    expect(unavailableAtCall).toEqual([false, true]);
    expect(pause.isUnavailable).toBe(false);
  });

  it('does not hold a batch at all once the consumer is stopping', async () => {
    const { stop, pause, items, logger } = setup();
    stop.abort();
    const { attempt } = attempts(pause, refused());
    expect(await pause.run(items, attempt, outcomes)).toBe('stopped');
    expect(logger.lines).toEqual([]);
  });
});
