import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventEnvelope, HandleEvent, JetStreamContext } from '@platform/events';
import { type LoyaltyPointsAwardedV1, orderConfirmedV1, type OrderConfirmedV1 } from '@platform/contracts';
import { LoyaltyMetrics } from './loyalty.metrics.js';
import { LoyaltyRepository } from './loyalty.repository.js';
import { earnsPoints, pointsForOrder } from './points.js';

/** Event handlers of the loyalty service (durable `loyalty-orders`, filter `orders.*.confirmed`). */
@Controller()
export class LoyaltyEventsController {
  private readonly logger = new Logger(LoyaltyEventsController.name);

  constructor(
    private readonly repository: LoyaltyRepository,
    private readonly metrics: LoyaltyMetrics,
  ) {}

  /**
   * Award `floor(totalCents / 100)` points once per order and emit `loyalty.points-awarded.v1`.
   * An order worth less than one point records and emits nothing. Runs in the message's
   * transaction: the award, the balance, the outbox event and the inbox record commit together.
   */
  @HandleEvent(orderConfirmedV1)
  async onOrderConfirmed(@Payload() event: EventEnvelope<OrderConfirmedV1>, @Ctx() ctx: JetStreamContext): Promise<void> {
    const tx = ctx.transaction;
    const { orderId, customerId, totalCents, currency } = event.data;
    const tenant = event.tenantid;
    const points = pointsForOrder(totalCents);
    if (!earnsPoints(points)) {
      this.logger.log({ tenant, orderId, totalCents, msg: 'order earns no loyalty points' });
      return;
    }
    const balance = await this.repository.award(tx, { tenantId: tenant, customerId, orderId, points, totalCents, currency, eventId: event.id });
    if (balance === null) {
      this.logger.log({ tenant, orderId, msg: 'loyalty points already awarded for this order, skipped' });
      return;
    }
    const data: LoyaltyPointsAwardedV1 = { customerId, orderId, points, balance };
    await ctx.emit({ type: 'loyalty.points-awarded.v1', aggregateId: customerId, data });
    tx.afterCommit(() => {
      this.metrics.recordAward(points);
      this.logger.log({ tenant, orderId, points, msg: 'loyalty points awarded' });
    });
  }
}
