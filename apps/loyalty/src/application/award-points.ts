import { Injectable, Logger } from '@nestjs/common';
import type { EmitEvent, Transaction } from '@platform/events';
import type { LoyaltyPointsAwardedV1, OrderConfirmedV1 } from '@platform/contracts';
import { LoyaltyStore } from './ports.js';
import { earnsPoints, pointsForOrder } from '../domain/points.js';
import { LoyaltyMetrics } from './loyalty.metrics.js';

/** Points for a confirmed order: the award, the balance and `loyalty.points-awarded.v1`. */
@Injectable()
export class AwardPoints {
  private readonly logger = new Logger(AwardPoints.name);

  constructor(
    private readonly store: LoyaltyStore,
    private readonly metrics: LoyaltyMetrics,
  ) {}

  /**
   * Award `floor(totalCents / 100)` points once per order and emit `loyalty.points-awarded.v1`.
   * An order worth less than one point records and emits nothing. In `tx`, the award, the balance
   * and the emitted event commit together (with the inbox record of the event that caused them).
   */
  async award(tx: Transaction, emit: EmitEvent, tenant: string, order: OrderConfirmedV1, eventId: string): Promise<void> {
    const { orderId, customerId, totalCents, currency } = order;
    const points = pointsForOrder(totalCents);
    if (!earnsPoints(points)) {
      this.logger.log({ tenant, orderId, totalCents, msg: 'order earns no loyalty points' });
      return;
    }
    const balance = await this.store.award(tx, { tenantId: tenant, customerId, orderId, points, totalCents, currency, eventId });
    if (balance === null) {
      this.logger.log({ tenant, orderId, msg: 'loyalty points already awarded for this order, skipped' });
      return;
    }
    const data: LoyaltyPointsAwardedV1 = { customerId, orderId, points, balance };
    await emit({ type: 'loyalty.points-awarded.v1', aggregateId: customerId, data });
    tx.afterCommit(() => {
      this.metrics.recordAward(points);
      this.logger.log({ tenant, orderId, points, msg: 'loyalty points awarded' });
    });
  }
}
