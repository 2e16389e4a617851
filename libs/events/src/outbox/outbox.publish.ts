import type { Publisher } from '../publisher/publisher.js';

/** What a publish needs of a row: an `OutboxRecord` (fast path) or a row read back (drain). */
export interface PublishableRow {
  readonly id: number;
  readonly eventId: string;
  readonly subject: string;
  readonly payload: string;
  /** Absent when the row has no headers of its own. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface BatchOutcome {
  readonly total: number;
  /** Ids of the rows whose publish was acknowledged. */
  readonly published: number[];
  readonly failed: number[];
  firstError: unknown;
}

/** How the drain and the fast path publish a batch of rows. */
export type PublishRows = (rows: readonly PublishableRow[]) => Promise<BatchOutcome>;

/**
 * Publish `rows` pipelined, in their order, and settle when every publish has. `published`
 * and `failed` list the ids in row order. No per-row closure or result object on the common
 * path (two shared callbacks count the settled publishes; only a batch with a failure looks
 * at each promise again), and `Buffer.from` takes the bytes from Node's pool instead of a
 * fresh ArrayBuffer per row as `TextEncoder.encode` does.
 */
export function publishRows(publisher: Publisher, rows: readonly PublishableRow[], timeoutMs: number): Promise<BatchOutcome> {
  const total = rows.length;
  if (total === 0) return Promise.resolve({ total, published: [], failed: [], firstError: undefined });
  // The callbacks keep only the ids until the acks are in: the rows (and their payloads) can be
  // collected as soon as their publishes are issued.
  const ids = rows.map((row) => row.id);
  const publishes = new Array<Promise<unknown>>(total);
  let resolve!: (outcome: BatchOutcome) => void;
  const done = new Promise<BatchOutcome>((settle) => (resolve = settle));
  let remaining = total;
  let failures = 0;
  const settled = (): void => {
    if (--remaining > 0) return;
    if (failures === 0) {
      resolve({ total, published: ids, failed: [], firstError: undefined });
      return;
    }
    void Promise.allSettled(publishes).then((results) => {
      const outcome: BatchOutcome = { total, published: [], failed: [], firstError: undefined };
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') outcome.published.push(ids[i]!);
        else {
          outcome.failed.push(ids[i]!);
          outcome.firstError ??= result.reason;
        }
      });
      resolve(outcome);
    });
  };
  const failed = (): void => {
    failures++;
    settled();
  };
  for (let i = 0; i < total; i++) {
    const row = rows[i]!;
    let publish: Promise<unknown>;
    try {
      publish = publisher.publish(row.subject, Buffer.from(row.payload, 'utf8'), { msgId: row.eventId, headers: row.headers, timeoutMs });
    } catch (error) {
      publish = Promise.reject(error);
    }
    publishes[i] = publish;
    publish.then(settled, failed);
  }
  return done;
}
