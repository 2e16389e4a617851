import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { Describe, IsOneOf } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsEntityId, IsSku } from '../fields.js';

/** Why an order's items could not be reserved. */
export const ReservationFailureReason = {
  outOfStock: 'out_of_stock',
  unknownSku: 'unknown_sku',
} as const;
export type ReservationFailureReason = (typeof ReservationFailureReason)[keyof typeof ReservationFailureReason];

export class InventoryReservationFailedV1 {
  @Describe('The order whose items could not be reserved')
  @IsEntityId()
  orderId!: string;

  @Describe('out_of_stock (too few available units) or unknown_sku (not in the catalogue)')
  @IsOneOf(ReservationFailureReason)
  reason!: ReservationFailureReason;

  @Describe('The 1–50 SKUs that caused the failure; nothing was reserved for any line')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsSku({ each: true })
  skus!: string[];
}

export const inventoryReservationFailedV1 = definePlatformEvent({
  type: 'inventory.reservation-failed.v1',
  payload: InventoryReservationFailedV1,
  aggregate: 'reservation',
  subjectField: 'orderId',
  description:
    'An order could not be reserved (all or nothing: no line was held); the order service cancels it with the same reason.',
});
