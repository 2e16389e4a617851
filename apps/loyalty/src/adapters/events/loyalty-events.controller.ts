import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext } from '@platform/events';
import { orderConfirmedV1, type OrderConfirmedV1 } from '@platform/contracts';
import { AwardPoints } from '../../application/award-points.js';

/** Event handlers of the loyalty service (durable `loyalty-orders`, filter `orders.*.confirmed`). */
@Controller()
export class LoyaltyEventsController {
  constructor(private readonly awardPoints: AwardPoints) {}

  /** Points for the order, in the message's transaction (the inbox record commits with them). */
  @HandleEvent(orderConfirmedV1)
  onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.awardPoints.award(ctx.transaction, (e) => ctx.emit(e), event.tenantid, event.data, event.id);
  }
}
