import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@platform/service-kit';
import type { OrderServiceConfig } from '../../config.js';
import { OrderQueries } from '../../application/order-queries.js';
import { OrderMetrics } from '../../application/order.metrics.js';
import { AdmissionCount, type AdmissionTicket, type ShedReason } from '../../domain/admission.js';
import { OrderAdmissionRejected } from './admission-rejected.filter.js';

const SHED_LOG_INTERVAL_MS = 10_000;

/**
 * Admission control of `POST /orders`: refuse new work (503, `Retry-After`) rather than accept
 * orders faster than the flow completes them.
 *
 * - **pending** (`ORDER_ADMISSION_MAX_PENDING`): orders in flight end to end = the PENDING orders
 *   of the database, counted every `ORDER_ADMISSION_REFRESH_MS`, plus the orders this process
 *   accepted since that count started, plus the requests being handled now (each may become one).
 *   The count includes other replicas' orders; what they accepted since the last count is not
 *   seen, so replicas may overshoot by their arrival rate × the refresh interval.
 * - **in_flight** (`ORDER_ADMISSION_MAX_IN_FLIGHT`): concurrent `POST /orders` in this process.
 *
 * The arithmetic is `AdmissionCount`'s; this service counts the PENDING orders on a timer, and
 * counts and logs what it sheds.
 */
@Injectable()
export class OrderAdmission implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OrderAdmission');
  private readonly count: AdmissionCount;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private shedSinceLog = 0;
  private lastShedLog = 0;

  constructor(
    private readonly orders: OrderQueries,
    private readonly metrics: OrderMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: OrderServiceConfig,
  ) {
    this.count = new AdmissionCount({ maxPending: config.ORDER_ADMISSION_MAX_PENDING, maxInFlight: config.ORDER_ADMISSION_MAX_IN_FLIGHT });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.ORDER_ADMISSION_MAX_PENDING === 0) return;
    // Count before the first request is admitted: a restart must not forget the backlog.
    await this.refresh().catch((error: unknown) => this.logger.warn(`counting pending orders failed: ${(error as Error).message}`));
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Orders in flight end to end as the pending bound sees them. */
  pending(): number {
    return this.count.pending();
  }

  /** Admit a new request, or say which bound it would pass. */
  tryAdmit(): AdmissionTicket | ShedReason {
    return this.count.tryAdmit();
  }

  /** Admit whatever the bounds say: the replay of an order that already exists adds no work to the flow. */
  admitReplay(): AdmissionTicket {
    return this.count.admit();
  }

  /** Count a shed request and build its 503. */
  reject(reason: ShedReason): OrderAdmissionRejected {
    this.metrics.shed.inc({ reason });
    this.logShed(reason);
    return new OrderAdmissionRejected(reason, this.config.ORDER_ADMISSION_RETRY_AFTER_S);
  }

  /** Count the PENDING orders now (the timer does this every `ORDER_ADMISSION_REFRESH_MS`). */
  async refresh(): Promise<void> {
    const counted = this.count.startCount();
    counted(await this.orders.countPending(this.config.ORDER_ADMISSION_MAX_PENDING + 1));
    this.metrics.admissionPending.set(this.pending());
  }

  /** One warning per 10 s at most while shedding: a log line per refused request would add load. */
  private logShed(reason: ShedReason): void {
    this.shedSinceLog++;
    const now = Date.now();
    if (now - this.lastShedLog < SHED_LOG_INTERVAL_MS) return;
    this.logger.warn(
      `shedding POST /orders (${reason}): ${this.shedSinceLog} refused since the last warning; pending ${this.pending()}/${this.config.ORDER_ADMISSION_MAX_PENDING}, in flight ${this.count.requestsInFlight()}/${this.config.ORDER_ADMISSION_MAX_IN_FLIGHT}`,
    );
    this.shedSinceLog = 0;
    this.lastShedLog = now;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.refresh()
        .catch((error: unknown) => this.logger.warn(`counting pending orders failed, keeping the last count: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.config.ORDER_ADMISSION_REFRESH_MS);
    this.timer.unref();
  }
}
