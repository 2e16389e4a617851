import { Inject, Injectable } from '@nestjs/common';
import { counterIn, METRICS_REGISTRY } from '@platform/service-kit';
import type { Counter, Registry } from 'prom-client';

export const LoyaltyMetricName = {
  pointsAwarded: 'loyalty_points_awarded_total',
  awards: 'loyalty_awards_total',
} as const;

/**
 * Business metrics of the loyalty service, registered once per registry (the service's own).
 * No labels: tenant and customer ids would be unbounded.
 */
@Injectable()
export class LoyaltyMetrics {
  /** Points awarded, summed over all awards. */
  readonly pointsAwarded: Counter;
  /** Awards recorded (one per confirmed order that earned at least one point). */
  readonly awards: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.pointsAwarded = counterIn(registry, { name: LoyaltyMetricName.pointsAwarded, help: 'Loyalty points awarded for confirmed orders' });
    this.awards = counterIn(registry, { name: LoyaltyMetricName.awards, help: 'Loyalty awards recorded (one per confirmed order earning at least one point)' });
  }

  recordAward(points: number): void {
    this.awards.inc();
    this.pointsAwarded.inc(points);
  }
}
