import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@platform/events';
import { DATABASE, PeriodicSweeper, SERVICE_CONFIG } from '@platform/service-kit';
import type { OrderServiceConfig } from '../../config.js';

/** Rows deleted per statement, so that one sweep never holds many row locks at once. */
const SWEEP_BATCH = 1000;

/**
 * Delete the idempotency keys created before `olderThan`, at most `limit` rows; resolves with the
 * number deleted. The order they named is untouched: only replaying it by that key ends.
 */
export async function expireIdempotencyKeys(db: Database, olderThan: Date, limit = SWEEP_BATCH): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM idempotency_keys
      WHERE (tenant_id, key) IN (SELECT tenant_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)`,
    [olderThan.toISOString(), limit],
  );
  return rowCount;
}

/**
 * Forgets `Idempotency-Key`s older than `ORDER_IDEMPOTENCY_TTL_MS` (default 24 h), every
 * `ORDER_IDEMPOTENCY_SWEEP_MS`: a retry within the TTL replays its order, a key reused after it
 * places a new order. Keys live at least the TTL (a key past it but not yet swept still replays).
 * Safe with several replicas: each DELETE removes distinct rows or nothing.
 */
@Injectable()
export class IdempotencyKeySweeper extends PeriodicSweeper {
  protected readonly logger = new Logger('IdempotencyKeySweeper');
  protected readonly what = 'idempotency key sweep';
  protected readonly intervalMs: number;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: OrderServiceConfig,
  ) {
    super();
    this.intervalMs = config.ORDER_IDEMPOTENCY_SWEEP_MS;
  }

  /** One sweep: every expired key, in batches. */
  async sweep(now = new Date()): Promise<number> {
    const olderThan = new Date(now.getTime() - this.config.ORDER_IDEMPOTENCY_TTL_MS);
    let total = 0;
    for (;;) {
      const deleted = await expireIdempotencyKeys(this.db, olderThan);
      total += deleted;
      if (deleted < SWEEP_BATCH || this.stopping) return total;
    }
  }

  protected describe(deleted: number): string {
    return `forgot ${deleted} idempotency key(s) older than ${this.config.ORDER_IDEMPOTENCY_TTL_MS} ms`;
  }
}
