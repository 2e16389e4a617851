import { Inject, Injectable } from '@nestjs/common';
import { counterIn, gaugeIn, histogramIn, METRICS_REGISTRY } from '@platform/service-kit';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ShedReason } from '../domain/admission.js';

/** Business metrics of the order service (docs/metrics.md). */
@Injectable()
export class OrderMetrics {
  readonly created: Counter;
  readonly confirmed: Counter;
  /** Cancellations by reason: `payment_declined`, `out_of_stock`, `unknown_sku`, `timeout`. */
  readonly cancelled: Counter<'reason'>;
  /** Revenue of confirmed orders, minor units (one currency per deployment in the reference catalogue). */
  readonly revenue: Counter;
  /** Seconds from `order.created` to the terminal state, by outcome. */
  readonly flowDuration: Histogram<'outcome'>;
  /** `POST /orders` answered 503 by admission control, by {@link ShedReason}. */
  readonly shed: Counter<'reason'>;
  /** Orders in flight as admission control sees them (PENDING at the last count + accepted since). */
  readonly admissionPending: Gauge;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.created = counterIn(registry, { name: 'orders_created_total', help: 'Orders accepted as PENDING' });
    this.confirmed = counterIn(registry, { name: 'orders_confirmed_total', help: 'Orders that reached CONFIRMED' });
    this.cancelled = counterIn(registry, { name: 'orders_cancelled_total', help: 'Orders that reached CANCELLED, by reason', labelNames: ['reason'] });
    this.revenue = counterIn(registry, { name: 'orders_revenue_cents_total', help: 'Sum of the totals of confirmed orders, in minor currency units' });
    this.flowDuration = histogramIn(registry, {
      name: 'order_flow_duration_seconds',
      help: 'Time from order.created to CONFIRMED or CANCELLED',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    });
    this.shed = counterIn(registry, { name: 'orders_shed_total', help: 'POST /orders refused with 503 by admission control, by reason', labelNames: ['reason'] });
    // Every reason is exposed from the start (at 0), so that rate() and alerts see the series.
    for (const reason of Object.values(ShedReason)) this.shed.inc({ reason }, 0);
    this.admissionPending = gaugeIn(registry, { name: 'orders_admission_pending', help: 'Orders in flight as seen by admission control: PENDING at the last count plus accepted since' });
  }
}
