import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../util/logger.js';
import { FakeOutboxDatabase } from './outbox.fakes.js';
import type { OutboxRecord } from './outbox.js';
import { WakeSignal, type CommitSource } from './outbox.wake.js';

/** Whether `promise` has settled once the pending timers up to `ms` have run (fake timers). */
const settledAfter = async (promise: Promise<unknown>, ms: number) => {
  let settled = false;
  void promise.then(() => (settled = true));
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
};

describe('WakeSignal', () => {
  afterEach(() => vi.useRealTimers());

  it('waits for the poll interval when nothing wakes it', async () => {
    vi.useFakeTimers();
    const signal = new WakeSignal(1000);
    const wait = signal.wait(new AbortController().signal);
    expect(await settledAfter(wait, 999)).toBe(false);
    expect(await settledAfter(wait, 1)).toBe(true);
  });

  it('ends a wait on a wake, and on the abort of the signal', async () => {
    vi.useFakeTimers();
    const signal = new WakeSignal(1000);
    const woken = signal.wait(new AbortController().signal);
    signal.wake();
    expect(await settledAfter(woken, 0)).toBe(true);
    signal.passStarted();
    const stop = new AbortController();
    const stopped = signal.wait(stop.signal);
    stop.abort();
    expect(await settledAfter(stopped, 0)).toBe(true);
    expect(await settledAfter(signal.wait(stop.signal), 0)).toBe(true); // already aborted
  });

  it('keeps a wake that came during a pass for the wait after it, and forgets the ones before it', async () => {
    vi.useFakeTimers();
    const signal = new WakeSignal(1000);
    signal.wake();
    signal.passStarted(); // this pass covers that wake
    expect(await settledAfter(signal.wait(new AbortController().signal), 0)).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    signal.passStarted();
    signal.wake(); // during the pass
    expect(await settledAfter(signal.wait(new AbortController().signal), 0)).toBe(true);
  });

  describe("a term's sources", () => {
    const commitSource = () => {
      const listeners = new Set<(records: readonly OutboxRecord[]) => void>();
      const source: CommitSource = { onCommit: (fn) => (listeners.add(fn), () => listeners.delete(fn)) };
      return { source, commit: (records: OutboxRecord[]) => listeners.forEach((fn) => fn(records)) };
    };
    const record = (id: number): OutboxRecord => ({ id, eventId: `e-${id}`, subject: 's', type: 't', payload: '{}', headers: {} });

    it("hands over the outbox's commits, wakes on NOTIFY of the channel, and stops both on unsubscribe", async () => {
      const db = new FakeOutboxDatabase();
      const { source, commit } = commitSource();
      const committed: number[][] = [];
      const signal = new WakeSignal(3_600_000);
      const unsubscribe = await signal.subscribe({ db, channel: 'events_outbox', outbox: source, onCommit: (records) => void committed.push(records.map((r) => r.id)), logger: silentLogger });
      commit([record(1), record(2)]);
      expect(committed).toEqual([[1, 2]]);
      await db.query('SELECT pg_notify($1, $2)', ['other_channel', 'x']);
      await db.query('SELECT pg_notify($1, $2)', ['events_outbox', 'order']);
      await signal.wait(new AbortController().signal); // woken by the NOTIFY, not after the hour
      await unsubscribe();
      commit([record(3)]);
      expect(committed).toEqual([[1, 2]]);
      signal.passStarted();
      const wakes = vi.spyOn(signal, 'wake');
      await db.query('SELECT pg_notify($1, $2)', ['events_outbox', 'order']);
      await new Promise((resolve) => setImmediate(resolve)); // when the NOTIFY would have been delivered
      expect(wakes).not.toHaveBeenCalled();
    });

    it('relies on the poll when LISTEN fails, and still hands over the commits', async () => {
      const db = new FakeOutboxDatabase();
      vi.spyOn(db, 'listen').mockRejectedValue(new Error('too many connections'));
      const warnings: Array<[object, string | undefined]> = [];
      const logger = { ...silentLogger, warn: (fields: object, msg?: string) => void warnings.push([fields, msg]) };
      const { source, commit } = commitSource();
      const committed: number[] = [];
      const unsubscribe = await new WakeSignal(1000).subscribe({ db, channel: 'events_outbox', outbox: source, onCommit: (records) => void committed.push(records.length), logger });
      expect(warnings).toEqual([[{ err: { name: 'Error', message: 'too many connections' } }, 'outbox relay: LISTEN failed, relying on the poll']]);
      commit([record(1)]);
      expect(committed).toEqual([1]);
      await unsubscribe();
    });
  });
});
