import { Injectable } from '@nestjs/common';
import { summaryOf, type AnalyticsSummary } from '../domain/apply-rules.js';
import { AnalyticsStore } from './ports.js';

/** Reads of the aggregates (outside any transaction: one statement). */
@Injectable()
export class AnalyticsQueries {
  constructor(private readonly store: AnalyticsStore) {}

  /** The tenant's aggregates; zeros for a tenant without events. */
  async summary(tenantId: string): Promise<AnalyticsSummary> {
    const totals = await this.store.tenantTotals(tenantId);
    return summaryOf(totals.counters, totals.lastEventAt);
  }
}
