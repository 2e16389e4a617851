import { Describe, IsQuantity, NestedArray } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsEntityId, IsSku } from '../fields.js';

export class InventoryReservedV1Item {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units moved from available to reserved')
  @IsQuantity(1)
  quantity!: number;
}

export class InventoryReservedV1 {
  @Describe('The order the stock is held for')
  @IsEntityId()
  orderId!: string;

  @Describe('1–50 lines')
  @NestedArray(() => InventoryReservedV1Item, 1, 50)
  items!: InventoryReservedV1Item[];
}

export const inventoryReservedV1 = definePlatformEvent({
  type: 'inventory.reserved.v1',
  payload: InventoryReservedV1,
  aggregate: 'reservation',
  subjectField: 'orderId',
  description: 'Every line of an order was reserved: units moved from available to reserved; the order service waits for it before confirming.',
});
