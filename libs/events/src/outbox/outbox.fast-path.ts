import type { EventsLogger } from '../util/logger.js';
import type { OutboxRecord } from './outbox.js';
import { DelayedMarks, type RowMarks } from './outbox.marks.js';
import type { PublicationOrder } from './outbox.order.js';
import type { PublishRows } from './outbox.publish.js';

export interface FastPathOptions {
  readonly order: PublicationOrder;
  readonly publish: PublishRows;
  readonly marks: RowMarks;
  /** A batch's worth of waiting marks is written at once. */
  readonly batchSize: number;
  /** Wakes the drain, for the rows handed back to it. */
  readonly wake: () => void;
  readonly logger: EventsLogger;
}

/**
 * The fast path: rows the in-process outbox just committed, published at once without reading
 * them back, and marked in batches. It takes only the commits {@link PublicationOrder} admits and
 * hands the others back to the drain, as it does the rows whose publish failed. Its rows are
 * claimed from the hand-over until marked, so a drain meanwhile does not publish them again.
 */
export class FastPath {
  private readonly claimed = new Set<number>();
  private readonly publishing = new Set<Promise<void>>();
  private readonly marks: DelayedMarks;

  constructor(private readonly options: FastPathOptions) {
    this.marks = new DelayedMarks(options.marks, options.batchSize, (ids) => ids.forEach((id) => this.claimed.delete(id)), options.logger);
  }

  /** Whether row `id` is the fast path's: being published, or published and not yet marked. */
  holds(id: number): boolean {
    return this.claimed.has(id);
  }

  /** The rows of a commit, in append order, right after it. */
  handOver(records: readonly OutboxRecord[]): void {
    const { order, publish, marks, wake } = this.options;
    if (!order.admitCommit() || records.length === 0) {
      wake();
      return;
    }
    for (const record of records) this.claimed.add(record.id);
    const publishing = publish(records).then((outcome) => {
      for (const id of outcome.failed) this.claimed.delete(id);
      this.marks.add(outcome.published);
      if (outcome.failed.length > 0) {
        order.doubt();
        void marks.recordFailures(outcome).catch(() => undefined);
        wake();
      }
    });
    this.publishing.add(publishing);
    void publishing.finally(() => this.publishing.delete(publishing));
  }

  /** Once nothing more is handed over: wait for the publishes in flight, then write every mark. */
  async settle(): Promise<void> {
    await Promise.all(this.publishing);
    await this.marks.flush();
  }
}
