import { ApiProperty } from '@nestjs/swagger';
import type { LoyaltyAccount } from '../../application/loyalty-accounts.js';

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

export function toAccountBody(customerId: string, account: LoyaltyAccount): LoyaltyAccountBody {
  return {
    customerId,
    points: account.points,
    history: account.history.map((award) => ({ orderId: award.orderId, points: award.points, awardedAt: award.awardedAt.toISOString() })),
  };
}
