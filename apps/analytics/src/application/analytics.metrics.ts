import { Inject, Injectable } from '@nestjs/common';
import { counterIn, METRICS_REGISTRY } from '@platform/service-kit';
import type { Counter, Registry } from 'prom-client';

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
    this.applied = counterIn(registry, {
      name: AnalyticsMetricName.EventsApplied,
      help: 'Events applied to the analytics aggregates by the live consumers (duplicates not counted), by versioned event type',
      labelNames: ['event_type'],
    });
    this.replays = counterIn(registry, {
      name: AnalyticsMetricName.Replays,
      help: 'Rebuilds of the analytics aggregates from the streams (POST /analytics/rebuild), by result',
      labelNames: ['result'],
    });
  }

  eventApplied(eventType: string): void {
    this.applied.inc({ event_type: eventType });
  }

  replayed(result: ReplayResult): void {
    this.replays.inc({ result });
  }
}
