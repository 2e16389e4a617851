import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { HandleEvent, JetStreamContext, type EventEnvelope } from '@platform/events';
import { AnalyticsMetrics } from './analytics.metrics.js';
import { applyFact } from './analytics.store.js';
import { ANALYTICS_CONTRACTS, factOf } from './apply-rules.js';

/**
 * The analytics consumers (analytics-orders, -payments, -inventory, -loyalty, -notifications):
 * every event is recorded as a fact and moves its tenant's counters, in the message's
 * transaction (`ctx.tx`, which also holds the inbox record, so a duplicate never gets here).
 * The method handles exactly the contracts the apply rules know (`ANALYTICS_CONTRACTS`);
 * order.created.v1 arrives upcast to v2.
 */
@Controller()
export class AnalyticsEventsController {
  constructor(private readonly metrics: AnalyticsMetrics) {}

  @HandleEvent(...ANALYTICS_CONTRACTS)
  async onEvent(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): Promise<void> {
    const tx = ctx.tx!;
    if (await applyFact(tx, factOf(event))) tx.afterCommit(() => this.metrics.eventApplied(event.type));
  }
}
