import { Controller, Get, Param } from '@nestjs/common';
import { IsCustomerId } from '@platform/events';
import { TenantId } from '@platform/service-kit';
import { LoyaltyRepository } from './loyalty.repository.js';

export class CustomerParams {
  /** 1–64 characters, no control characters (as in the order contracts). */
  @IsCustomerId()
  customerId!: string;
}

export interface LoyaltyAccountBody {
  customerId: string;
  points: number;
  history: { orderId: string; points: number; awardedAt: string }[];
}

@Controller('loyalty')
export class LoyaltyController {
  constructor(private readonly repository: LoyaltyRepository) {}

  /**
   * `GET /loyalty/:customerId` → `{customerId, points, history:[{orderId, points, awardedAt}]}`,
   * history newest first (the newest 100 awards; `points` is the full balance).
   *
   * Decision: an unknown customer is 200 with `points: 0, history: []`, not 404. Loyalty learns
   * about customers only from their confirmed orders, so "no account" and "no points yet" are the
   * same fact; another tenant's customer likewise reads as one with no points, which leaks nothing.
   */
  @Get(':customerId')
  async account(@TenantId() tenantId: string, @Param() params: CustomerParams): Promise<LoyaltyAccountBody> {
    const [points, history] = await Promise.all([
      this.repository.balance(tenantId, params.customerId),
      this.repository.history(tenantId, params.customerId),
    ]);
    return {
      customerId: params.customerId,
      points,
      history: history.map((award) => ({ orderId: award.orderId, points: award.points, awardedAt: award.awardedAt.toISOString() })),
    };
  }
}
