import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@platform/service-kit';
import { Counter, type Registry } from 'prom-client';

export const AnalyticsMetricName = {
  EventsApplied: 'analytics_events_applied_total',
  Replays: 'analytics_replays_total',
} as const;

export const ReplayResult = {
  Success: 'success',
  Failure: 'failure',
} as const;
export type ReplayResult = (typeof ReplayResult)[keyof typeof ReplayResult];

/** The analytics service's business metrics, registered once per registry. Labels are bounded (event types, replay results). */
@Injectable()
export class AnalyticsMetrics {
  private readonly applied: Counter<'event_type'>;
  private readonly replays: Counter<'result'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.applied =
      (registry.getSingleMetric(AnalyticsMetricName.EventsApplied) as Counter<'event_type'> | undefined) ??
      new Counter({
        name: AnalyticsMetricName.EventsApplied,
        help: 'Events applied to the analytics aggregates by the live consumers (duplicates not counted), by versioned event type',
        labelNames: ['event_type'],
        registers: [registry],
      });
    this.replays =
      (registry.getSingleMetric(AnalyticsMetricName.Replays) as Counter<'result'> | undefined) ??
      new Counter({
        name: AnalyticsMetricName.Replays,
        help: 'Rebuilds of the analytics aggregates from the streams (POST /analytics/rebuild), by result',
        labelNames: ['result'],
        registers: [registry],
      });
  }

  eventApplied(eventType: string): void {
    this.applied.inc({ event_type: eventType });
  }

  replayed(result: ReplayResult): void {
    this.replays.inc({ result });
  }
}
