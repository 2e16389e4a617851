import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@platform/events';
import { DATABASE, EventOutbox, PeriodicSweeper, SERVICE_CONFIG } from '@platform/service-kit';
import type { OrderServiceConfig } from '../config.js';
import { OrderFlow } from './order-flow.service.js';
import { OrdersStore } from './ports.js';

/** Orders cancelled per transaction. */
const SWEEP_BATCH = 100;

/**
 * Cancels orders still PENDING after `ORDER_DEADLINE_MS` (reason `timeout`), checking every
 * `ORDER_DEADLINE_SWEEP_MS`. Safe with several replicas (see `cancelExpired`).
 */
@Injectable()
export class DeadlineSweeper extends PeriodicSweeper {
  protected readonly logger = new Logger('DeadlineSweeper');
  protected readonly what = 'deadline sweep';
  protected readonly intervalMs: number;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly outbox: EventOutbox,
    private readonly orders: OrdersStore,
    private readonly flow: OrderFlow,
    @Inject(SERVICE_CONFIG) config: OrderServiceConfig,
  ) {
    super();
    this.intervalMs = config.ORDER_DEADLINE_SWEEP_MS;
  }

  /** One sweep: cancel every expired order, in batches. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const cancelled = await this.cancelExpired();
      total += cancelled;
      if (cancelled < SWEEP_BATCH || this.stopping) return total;
    }
  }

  /**
   * Cancel up to `batch` orders whose deadline has passed, with reason `timeout`. Rows are taken
   * with SKIP LOCKED, so several replicas sweep without blocking each other or an event handler
   * working on the same order (whichever commits first decides; the other sees a terminal order).
   * No request or event caused the cancellation: its events start a chain of their own.
   */
  async cancelExpired(batch = SWEEP_BATCH): Promise<number> {
    return this.db.transaction(async (tx) => {
      const expired = await this.orders.lockExpired(tx, batch);
      const now = new Date();
      for (const { orderId, tenantId } of expired) {
        await this.flow.apply(tx, this.outbox.emitter(tx, { tenantId }), tenantId, orderId, { kind: 'deadline-passed' }, 'order.deadline-passed', now);
      }
      return expired.length;
    });
  }

  protected describe(cancelled: number): string {
    return `cancelled ${cancelled} order(s) past their deadline`;
  }
}
