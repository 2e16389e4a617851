import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicSweeper, SERVICE_CONFIG } from '@platform/service-kit';
import type { OrderServiceConfig } from '../config.js';
import { OrdersService } from './orders.service.js';

/**
 * Cancels orders still PENDING after `ORDER_DEADLINE_MS` (reason `timeout`), checking every
 * `ORDER_DEADLINE_SWEEP_MS`. Safe with several replicas (see `OrdersService.cancelExpired`).
 */
@Injectable()
export class DeadlineSweeper extends PeriodicSweeper {
  protected readonly logger = new Logger('DeadlineSweeper');
  protected readonly what = 'deadline sweep';
  protected readonly intervalMs: number;

  constructor(
    private readonly orders: OrdersService,
    @Inject(SERVICE_CONFIG) config: OrderServiceConfig,
  ) {
    super();
    this.intervalMs = config.ORDER_DEADLINE_SWEEP_MS;
  }

  /** One sweep: cancel every expired order, in batches. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const cancelled = await this.orders.cancelExpired();
      total += cancelled;
      if (cancelled < 100 || this.stopping) return total;
    }
  }

  protected describe(cancelled: number): string {
    return `cancelled ${cancelled} order(s) past their deadline`;
  }
}
