import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsCustomerId } from '@platform/contracts';
import { ApiErrorResponses, ApiProtected, customerScopeOf, Principal, TenantId } from '@platform/service-kit';
import { LoyaltyRepository } from './loyalty.repository.js';

export class CustomerParams {
  /** 1–64 characters, no control characters (as in the order contracts). */
  @ApiProperty({ type: 'string', minLength: 1, maxLength: 64, description: 'The customer (a customer token: itself only).', example: 'c-1' })
  @IsCustomerId()
  customerId!: string;
}

export class LoyaltyAwardView {
  @ApiProperty({ type: 'string', format: 'uuid', description: 'The confirmed order the points were awarded for.' })
  orderId!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Points of this award (1 per whole currency unit of the order).', example: 30 })
  points!: number;

  @ApiProperty({ type: 'string', format: 'date-time' })
  awardedAt!: string;
}

export class LoyaltyAccountBody {
  @ApiProperty({ type: 'string', example: 'c-1' })
  customerId!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'The full balance.', example: 30 })
  points!: number;

  @ApiProperty({ type: () => [LoyaltyAwardView], description: 'Newest first, the newest 100 awards.' })
  history!: { orderId: string; points: number; awardedAt: string }[];
}

@ApiTags('loyalty')
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
  @ApiOperation({
    summary: "A customer's points",
    description: 'The balance and the newest awards. A customer without points (unknown to loyalty) is 200 with `points: 0` and no history.',
  })
  @ApiProtected({ customerScope: 'only its own account' })
  @ApiOkResponse({ description: 'The account.', type: LoyaltyAccountBody })
  @ApiErrorResponses(400, [404, "A customer token asking for another customer's account."])
  async account(@TenantId() tenantId: string, @Principal() principal: Principal, @Param() params: CustomerParams): Promise<LoyaltyAccountBody> {
    // A customer token reads its own account only: another customer's is not found.
    const own = customerScopeOf(principal);
    if (own !== undefined && params.customerId !== own) throw new NotFoundException(`no loyalty account ${params.customerId} for this token`);
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
