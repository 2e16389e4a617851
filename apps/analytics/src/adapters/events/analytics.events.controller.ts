import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEventBatch, JetStreamBatchContext } from '@platform/events';
import { ApplyEvents } from '../../application/apply-events.js';
import { ANALYTICS_CONTRACTS } from '../../domain/apply-rules.js';

/**
 * The analytics consumers (analytics-orders, -payments, -inventory, -loyalty, -notifications):
 * every event is recorded as a fact and moves its tenant's counters. A batch handler: the events
 * of one batch are applied in one statement, in the batch's transaction (`ctx.transaction`, which
 * also holds their inbox records, so a duplicate never gets here). The method handles exactly the
 * contracts the apply rules know (`ANALYTICS_CONTRACTS`); order.created v1 and v2 arrive upcast to v3.
 */
@Controller()
export class AnalyticsEventsController {
  constructor(private readonly events: ApplyEvents) {}

  @HandleEventBatch(...ANALYTICS_CONTRACTS)
  async onEvents(@Payload() events: EventEnvelope[], @Ctx() ctx: JetStreamBatchContext): Promise<void> {
    await this.events.apply(ctx.transaction, events);
  }
}
