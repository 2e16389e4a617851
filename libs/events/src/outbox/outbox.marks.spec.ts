import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventsMetrics } from '../metrics/events.metrics.js';
import type { Queryable } from '../storage/database.js';
import { silentLogger } from '../util/logger.js';
import { contiguousRange, DelayedMarks, MARK_FLUSH_DELAY_MS, MarkQueue, RowMarks } from './outbox.marks.js';

describe('contiguousRange', () => {
  it('is the first and last id when the ids are every integer between them, in any order', () => {
    expect(contiguousRange([7])).toEqual([7, 7]);
    expect(contiguousRange([3, 4, 5, 6])).toEqual([3, 6]);
    expect(contiguousRange([6, 4, 3, 5])).toEqual([3, 6]);
  });

  it('is undefined for a gap, a duplicate or no ids', () => {
    expect(contiguousRange([])).toBeUndefined();
    expect(contiguousRange([3, 4, 6])).toBeUndefined();
    expect(contiguousRange([3, 4, 4, 5])).toBeUndefined(); // a duplicate: three distinct ids over a span of three
    expect(contiguousRange([5, 3, 4, 3])).toBeUndefined();
  });
});

describe('MarkQueue', () => {
  const deferred = () => {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('writes one batch at a time and merges the ids queued meanwhile into the next write', async () => {
    const writes: number[][] = [];
    const pending: Array<ReturnType<typeof deferred>> = [];
    const queue = new MarkQueue((ids) => {
      writes.push([...ids]);
      const d = deferred();
      pending.push(d);
      return d.promise;
    }, 100);
    queue.add([1, 2]);
    queue.add([3]);
    queue.add([4, 5]);
    expect(writes).toEqual([[1, 2]]);
    expect(queue.size).toBe(5);
    pending[0]!.resolve();
    await queue.waitBelow(3);
    expect(writes).toEqual([[1, 2], [3, 4, 5]]);
    pending[1]!.resolve();
    await queue.settle();
    expect(queue.size).toBe(0);
  });

  it('caps the ids of one write', async () => {
    const writes: number[][] = [];
    const queue = new MarkQueue(async (ids) => void writes.push([...ids]), 2);
    queue.add([1]);
    queue.add([2, 3, 4, 5, 6]);
    await queue.settle();
    expect(writes).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it('stops writing after a failed write and rejects its waiters with that error', async () => {
    const writes: number[][] = [];
    const queue = new MarkQueue(async (ids) => {
      writes.push([...ids]);
      if (ids.includes(2)) throw new Error('connection lost');
    }, 10);
    queue.add([1]);
    queue.add([2]);
    queue.add([3]);
    await expect(queue.settle()).rejects.toThrow('connection lost');
    queue.add([4]);
    await expect(queue.waitBelow(100)).rejects.toThrow('connection lost');
    expect(writes).toEqual([[1], [2, 3]]);
  });
});

/** A session that records each statement; `fail` (given the statement and its number, from 1) makes some reject. */
const recordingSession = (fail: (sql: string, n: number) => boolean = () => false) => {
  const statements: Array<{ sql: string; params: readonly unknown[] | undefined }> = [];
  const session: Queryable = {
    query: async <Row>(sql: string, params?: readonly unknown[]) => {
      statements.push({ sql, params });
      if (fail(sql, statements.length)) throw new Error('connection lost');
      return { rows: [] as Row[], rowCount: 0 };
    },
  };
  return { session, statements };
};

const batches = async (registry: Registry) =>
  Object.fromEntries((await registry.getSingleMetric('events_outbox_relay_batches_total')!.get()).values.map((v) => [v.labels['result'], v.value]));

describe('RowMarks', () => {
  it('marks a contiguous run of ids by range and other ids by list, through the session of the moment, counting each write a batch', async () => {
    const first = recordingSession();
    const second = recordingSession();
    let session = first.session;
    const registry = new Registry();
    const marks = new RowMarks(() => session, new EventsMetrics(registry));
    await marks.write({ total: 3, published: [5, 6, 7], failed: [], firstError: undefined });
    session = second.session;
    await marks.write({ total: 2, published: [5, 9], failed: [], firstError: undefined });
    expect(first.statements).toEqual([{ sql: expect.stringContaining('WHERE id BETWEEN $1 AND $2'), params: [5, 7] }]);
    expect(second.statements).toEqual([{ sql: expect.stringContaining('WHERE id = ANY($1::bigint[])'), params: [[5, 9]] }]);
    expect(await batches(registry)).toEqual({ ok: 2, error: 0 });
  });

  it('marks the published rows of a batch with failures, records the attempt on the failed ones and rejects', async () => {
    const { session, statements } = recordingSession();
    const registry = new Registry();
    const marks = new RowMarks(() => session, new EventsMetrics(registry));
    const cause = new Error('x'.repeat(1200));
    const write = marks.write({ total: 4, published: [1, 2], failed: [3, 4], firstError: cause });
    await expect(write).rejects.toThrow('outbox relay: 2 of 4 publishes failed');
    await expect(write).rejects.toHaveProperty('cause', cause);
    expect(statements).toEqual([
      { sql: expect.stringContaining('published_at = now() WHERE id BETWEEN'), params: [1, 2] },
      { sql: expect.stringContaining('SET attempts = attempts + 1, last_error = $2'), params: [[3, 4], 'x'.repeat(1000)] },
    ]);
    expect(await batches(registry)).toEqual({ ok: 0, error: 1 });
  });

  it('writes nothing for no published rows', async () => {
    const { session, statements } = recordingSession();
    await new RowMarks(() => session).markPublished([]);
    expect(statements).toEqual([]);
  });
});

describe('DelayedMarks', () => {
  afterEach(() => vi.useRealTimers());

  const setup = (batchSize: number, fail?: (sql: string, n: number) => boolean) => {
    const { session, statements } = recordingSession(fail);
    const written: number[][] = [];
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_fields: object, msg?: string) => void warnings.push(msg ?? '') };
    const marks = new DelayedMarks(new RowMarks(() => session), batchSize, (ids) => void written.push([...ids]), logger);
    return { marks, statements, written, warnings };
  };

  it('writes the ids added within the delay together, once the delay is over', async () => {
    vi.useFakeTimers();
    const { marks, statements, written } = setup(100);
    marks.add([1, 2]);
    marks.add([3]);
    await vi.advanceTimersByTimeAsync(MARK_FLUSH_DELAY_MS - 1);
    expect(statements).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(statements.map((s) => s.params)).toEqual([[1, 3]]);
    expect(written).toEqual([[1, 2, 3]]);
  });

  it('writes at once when a batch of ids waits', async () => {
    vi.useFakeTimers();
    const { marks, statements } = setup(3);
    marks.add([1, 2]);
    marks.add([3, 4]);
    await vi.advanceTimersByTimeAsync(0);
    expect(statements.map((s) => s.params)).toEqual([[1, 4]]);
  });

  it('logs a failed write, hands its ids back as written, and goes on writing', async () => {
    const { marks, statements, written, warnings } = setup(100, (_sql, n) => n === 1);
    marks.add([1, 2]);
    await marks.flush();
    marks.add([3]);
    await marks.flush();
    expect(statements.map((s) => s.params)).toEqual([[1, 2], [3, 3]]);
    expect(written).toEqual([[1, 2], [3]]);
    expect(warnings).toEqual(['outbox relay: marking published rows failed; they will be re-published']);
  });

  it('resolves a flush once the writes before it are over, in order', async () => {
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const log: string[] = [];
    const session: Queryable = {
      query: async <Row>(_sql: string, params?: readonly unknown[]) => {
        if (params?.[0] === 1) await firstHeld;
        log.push(`wrote ${String(params?.[0])}`);
        return { rows: [] as Row[], rowCount: 0 };
      },
    };
    const marks = new DelayedMarks(new RowMarks(() => session), 100, () => undefined, silentLogger);
    marks.add([1]);
    const first = marks.flush();
    marks.add([2]);
    const second = marks.flush().then(() => log.push('second flushed'));
    setImmediate(releaseFirst);
    await Promise.all([first, second]);
    expect(log).toEqual(['wrote 1', 'wrote 2', 'second flushed']);
  });
});
