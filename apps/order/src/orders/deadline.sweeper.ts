import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@platform/service-kit';
import type { OrderServiceConfig } from '../config.js';
import { OrdersService } from './orders.service.js';

/**
 * Cancels orders still PENDING after `ORDER_DEADLINE_MS` (reason `timeout`), checking every
 * `ORDER_DEADLINE_SWEEP_MS`. Safe with several replicas (see `OrdersService.cancelExpired`).
 */
@Injectable()
export class DeadlineSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeadlineSweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly orders: OrdersService,
    @Inject(SERVICE_CONFIG) private readonly config: OrderServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep: cancel every expired order, in batches. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const cancelled = await this.orders.cancelExpired();
      total += cancelled;
      if (cancelled < 100 || this.stopped) return total;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((cancelled) => {
          if (cancelled > 0) this.logger.log(`cancelled ${cancelled} order(s) past their deadline`);
        })
        .catch((error: unknown) => this.logger.error(`deadline sweep failed, retrying: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.config.ORDER_DEADLINE_SWEEP_MS);
    this.timer.unref();
  }
}
