import { Describe, IsQuantity } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCustomerId, IsEntityId } from '../fields.js';

export class LoyaltyPointsAwardedV1 {
  @Describe('Customer id, 1–64 characters')
  @IsCustomerId()
  customerId!: string;

  @Describe('The confirmed order the points were earned with')
  @IsEntityId()
  orderId!: string;

  @Describe('Points added by this order, at least 1')
  @IsQuantity(1)
  points!: number;

  @Describe('The customer’s balance after this award')
  @IsQuantity(0)
  balance!: number;
}

export const loyaltyPointsAwardedV1 = definePlatformEvent({
  type: 'loyalty.points-awarded.v1',
  payload: LoyaltyPointsAwardedV1,
  aggregate: 'loyalty-account',
  subjectField: 'customerId',
  description: 'A customer earned loyalty points for a confirmed order.',
});
