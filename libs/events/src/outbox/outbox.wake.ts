import type { Database } from '../storage/database.js';
import { errorFields, type EventsLogger } from '../util/logger.js';
import type { Outbox, OutboxRecord } from './outbox.js';

/** What the relay needs of the in-process outbox. */
export type CommitSource = Pick<Outbox, 'onCommit'>;

export interface TermSources {
  readonly db: Database;
  /** NOTIFY channel of other processes' commits. */
  readonly channel: string;
  readonly outbox?: CommitSource;
  /** Gets the rows of each commit of the in-process outbox, right after it. */
  readonly onCommit: (records: readonly OutboxRecord[]) => void;
  readonly logger: EventsLogger;
}

/**
 * When the drain runs: on `wake()` (a commit handed to the drain, a republish, a caller), on
 * NOTIFY of another process's commit, and every `pollIntervalMs` as a fallback. A wake during a
 * pass is kept, so the wait after that pass returns at once.
 */
export class WakeSignal {
  private requested = false;
  private wakeUp?: () => void;

  constructor(private readonly pollIntervalMs: number) {}

  wake(): void {
    this.requested = true;
    this.wakeUp?.();
  }

  /** A pass starts: it covers every wake so far. */
  passStarted(): void {
    this.requested = false;
  }

  /** Resolves on a wake since the pass started, after the poll interval, or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.requested || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }

  /**
   * A term's sources: the in-process outbox's commits go to `onCommit`, and NOTIFY on the
   * channel wakes the drain (when LISTEN fails, the poll is left). Returns what undoes both.
   */
  async subscribe({ db, channel, outbox, onCommit, logger }: TermSources): Promise<() => Promise<void>> {
    const offCommit = outbox?.onCommit(onCommit);
    let unlisten: (() => Promise<void>) | undefined;
    try {
      unlisten = await db.listen(channel, () => this.wake());
    } catch (error) {
      logger.warn({ ...errorFields(error) }, 'outbox relay: LISTEN failed, relying on the poll');
    }
    return async () => {
      offCommit?.();
      await unlisten?.().catch(() => undefined);
    };
  }
}
