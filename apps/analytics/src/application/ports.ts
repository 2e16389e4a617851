import type { Queryable, Transaction } from '@platform/events';
import type { AnalyticsFact, TenantTotals } from '../domain/apply-rules.js';

/**
 * The facts applied and the per-tenant summaries (adapters/db/analytics.store.ts). Writes take
 * the handler's (or the replay's) transaction; a known event id moves no counter.
 */
export abstract class AnalyticsStore {
  /** Record the facts and add the deltas of the new ones to their tenants' summaries: the new facts, in the order given. */
  abstract applyFacts(tx: Queryable, facts: readonly AnalyticsFact[]): Promise<AnalyticsFact[]>;
  /** A tenant's counters and latest event time (zeros and null without events). */
  abstract tenantTotals(tenantId: string): Promise<TenantTotals>;
  /** Block the tables' writers until `tx` ends, then delete every fact and summary (the replay's first step). */
  abstract resetForRebuild(tx: Transaction): Promise<void>;
}
