import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiProtected, customerScopeOf, Principal, TenantId } from '@platform/service-kit';
import { LoyaltyAccounts } from '../../application/loyalty-accounts.js';
import { CustomerParams } from './loyalty.dto.js';
import { LoyaltyAccountBody, toAccountBody } from './loyalty.views.js';

@ApiTags('loyalty')
@Controller('loyalty')
export class LoyaltyController {
  constructor(private readonly accounts: LoyaltyAccounts) {}

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
    return toAccountBody(params.customerId, await this.accounts.read(tenantId, params.customerId));
  }
}
