import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventsMetrics } from '../metrics/events.metrics.js';
import { silentLogger } from '../util/logger.js';
import { FakeOutboxDatabase } from './outbox.fakes.js';
import { RelayLeadership, type LeaderTerm } from './outbox.leadership.js';

describe('RelayLeadership', () => {
  let db: FakeOutboxDatabase;
  let registry: Registry;
  let logs: Array<{ level: string; msg: string; fields: object }>;
  let stop: AbortController;
  let terms: LeaderTerm[];

  const leadership = (lockRetryMs = 10) => {
    const logger = {
      ...silentLogger,
      info: (fields: object, msg?: string) => void logs.push({ level: 'info', msg: msg ?? '', fields }),
      warn: (fields: object, msg?: string) => void logs.push({ level: 'warn', msg: msg ?? '', fields }),
    };
    return new RelayLeadership({ db, service: 'order', lockRetryMs, backoff: { initialMs: 100, maxMs: 1000 }, metrics: new EventsMetrics(registry), logger });
  };
  /** A term's work: until the term ends. */
  const lead = (term: LeaderTerm) => {
    terms.push(term);
    return new Promise<void>((resolve) => term.signal.addEventListener('abort', () => resolve(), { once: true }));
  };
  const leaderGauge = async () => (await registry.getSingleMetric('events_outbox_relay_leader')!.get()).values[0]?.value;

  beforeEach(() => {
    db = new FakeOutboxDatabase();
    registry = new Registry();
    logs = [];
    stop = new AbortController();
    terms = [];
  });

  afterEach(() => {
    stop.abort();
    vi.useRealTimers();
  });

  it('leads while it holds the lock of the service, through the lock session, and lets go on stop', async () => {
    const attempts = vi.spyOn(db, 'tryAdvisoryLock');
    const relay = leadership();
    const running = relay.run(stop.signal, lead);
    await vi.waitFor(() => expect(terms).toHaveLength(1));
    expect(attempts).toHaveBeenCalledWith('outbox-relay:order');
    expect(relay.isLeader).toBe(true);
    expect(relay.session).toBe(terms[0]!.session);
    await relay.session!.query('SELECT pg_notify($1, $2)', ['c', 'p']);
    expect(db.statements).toEqual([{ sql: 'SELECT pg_notify($1, $2)', on: 'lock' }]);
    expect(await leaderGauge()).toBe(1);
    expect(logs).toEqual([{ level: 'info', msg: 'outbox relay: active', fields: { service: 'order' } }]);
    stop.abort();
    await running;
    expect(terms[0]!.signal.aborted).toBe(true);
    expect(relay.isLeader).toBe(false);
    expect(relay.session).toBeUndefined();
    expect(await leaderGauge()).toBe(0);
    expect(await db.tryAdvisoryLock('outbox-relay:order')).not.toBeNull(); // released
  });

  it('follows while another process holds the lock, retrying, and takes over when it is free', async () => {
    db.foreignLocks.add('outbox-relay:order');
    const attempts = vi.spyOn(db, 'tryAdvisoryLock');
    const relay = leadership();
    void relay.run(stop.signal, lead);
    await vi.waitFor(() => expect(attempts.mock.calls.length).toBeGreaterThanOrEqual(3));
    expect(relay.isLeader).toBe(false);
    expect(terms).toEqual([]);
    db.foreignLocks.clear();
    await vi.waitFor(() => expect(relay.isLeader).toBe(true));
  });

  it('ends the term when the lock is lost and takes the lock again', async () => {
    const relay = leadership();
    void relay.run(stop.signal, lead);
    await vi.waitFor(() => expect(terms).toHaveLength(1));
    db.loseLock();
    await vi.waitFor(() => expect(terms).toHaveLength(2));
    expect(terms[0]!.signal.aborted).toBe(true);
    expect(terms[1]!.signal.aborted).toBe(false);
    expect(relay.isLeader).toBe(true);
  });

  it('backs off while the database cannot be reached, logging each failure', async () => {
    vi.useFakeTimers();
    db.lockError = new Error('connect ECONNREFUSED');
    const attempts = vi.spyOn(db, 'tryAdvisoryLock');
    const relay = leadership();
    void relay.run(stop.signal, lead);
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(49); // the first delay is 50–100 ms
    expect(attempts).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(51);
    expect(attempts).toHaveBeenCalledTimes(2);
    expect(logs.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'outbox relay: cannot reach the database for the leader lock'],
      ['warn', 'outbox relay: cannot reach the database for the leader lock'],
    ]);
    expect(logs[0]!.fields).toEqual({ err: { name: 'Error', message: 'connect ECONNREFUSED' } });
    db.lockError = undefined;
    await vi.advanceTimersByTimeAsync(200); // the second delay is 100–200 ms
    expect(relay.isLeader).toBe(true);
  });

  it('returns at once when stopped while following', async () => {
    db.foreignLocks.add('outbox-relay:order');
    const attempts = vi.spyOn(db, 'tryAdvisoryLock');
    const running = leadership(3_600_000).run(stop.signal, lead);
    await vi.waitFor(() => expect(attempts).toHaveBeenCalledTimes(1)); // now waiting to retry
    stop.abort();
    await running; // not after the hour-long retry
    expect(terms).toEqual([]);
  });
});
