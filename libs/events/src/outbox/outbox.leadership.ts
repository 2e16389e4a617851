import type { EventsMetrics } from '../metrics/events.metrics.js';
import type { AdvisoryLock, Database, Queryable } from '../storage/database.js';
import { backoffDelay, delay, type BackoffOptions } from '../util/backoff.js';
import { errorFields, type EventsLogger } from '../util/logger.js';

export interface RelayLeadershipOptions {
  readonly db: Database;
  /** The lock is `outbox-relay:<service>`: one active relay per service. */
  readonly service: string;
  /** How often a follower retries the lock, milliseconds. */
  readonly lockRetryMs: number;
  /** Between attempts while the database cannot be reached. */
  readonly backoff: BackoffOptions;
  readonly metrics?: EventsMetrics;
  readonly logger: EventsLogger;
}

/** One stretch of holding the lock. */
export interface LeaderTerm {
  /** The lock's own connection: the leader's reads and marks never wait for the pool. */
  readonly session: Queryable;
  /** Aborts when the relay stops or the lock is lost: the term's work ends. */
  readonly signal: AbortSignal;
}

/**
 * Who relays: the process holding the PostgreSQL advisory lock of the service. The others are
 * followers and retry every `lockRetryMs`, so one of them takes over when the leader stops or
 * its connection drops.
 */
export class RelayLeadership {
  private term?: LeaderTerm;

  constructor(private readonly options: RelayLeadershipOptions) {}

  /** True while this process holds the lock. */
  get isLeader(): boolean {
    return this.term !== undefined;
  }

  /** The lock's session while leading. */
  get session(): Queryable | undefined {
    return this.term?.session;
  }

  /** Until `signal` aborts: take the lock whenever it is free and `lead` while holding it. */
  async run(signal: AbortSignal, lead: (term: LeaderTerm) => Promise<void>): Promise<void> {
    const { db, service, logger } = this.options;
    let failures = 0;
    while (!signal.aborted) {
      let lock: AdvisoryLock | null = null;
      try {
        lock = await db.tryAdvisoryLock(`outbox-relay:${service}`);
      } catch (error) {
        failures++;
        logger.warn({ ...errorFields(error) }, 'outbox relay: cannot reach the database for the leader lock');
        await delay(backoffDelay(failures, this.options.backoff), signal);
        continue;
      }
      if (!lock) {
        await delay(this.options.lockRetryMs, signal);
        continue;
      }
      failures = 0;
      await this.hold(lock, signal, lead);
    }
  }

  private async hold(lock: AdvisoryLock, signal: AbortSignal, lead: (term: LeaderTerm) => Promise<void>): Promise<void> {
    const { metrics, logger, service } = this.options;
    const lost = new AbortController();
    void lock.lost.then(() => lost.abort());
    this.term = { session: lock.session, signal: AbortSignal.any([signal, lost.signal]) };
    metrics?.relayLeader.set(1);
    logger.info({ service }, 'outbox relay: active');
    try {
      await lead(this.term);
    } finally {
      this.term = undefined;
      metrics?.relayLeader.set(0);
      await lock.release().catch(() => undefined);
    }
  }
}
