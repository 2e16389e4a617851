import { Injectable } from '@nestjs/common';
import type { Transaction } from '@platform/events';
import { type AppliedEvent, factOf } from '../domain/apply-rules.js';
import { AnalyticsMetrics } from './analytics.metrics.js';
import { AnalyticsStore } from './ports.js';

/**
 * The live path: the events of one batch applied as facts in one statement, in the batch's
 * transaction; only the new ones are counted, once it commits (a known event id moves nothing).
 */
@Injectable()
export class ApplyEvents {
  constructor(
    private readonly store: AnalyticsStore,
    private readonly metrics: AnalyticsMetrics,
  ) {}

  async apply(tx: Transaction, events: readonly AppliedEvent[]): Promise<void> {
    const applied = await this.store.applyFacts(tx, events.map(factOf));
    tx.afterCommit(() => {
      for (const fact of applied) this.metrics.eventApplied(fact.eventType);
    });
  }
}
