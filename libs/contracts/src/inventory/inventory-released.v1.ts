import { Describe, IsQuantity, NestedArray } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsEntityId, IsSku } from '../fields.js';

export class InventoryReleasedV1Item {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units moved back from reserved to available')
  @IsQuantity(1)
  quantity!: number;
}

export class InventoryReleasedV1 {
  @Describe('The order the stock is held for')
  @IsEntityId()
  orderId!: string;

  @Describe('1–50 lines')
  @NestedArray(() => InventoryReleasedV1Item, 1, 50)
  items!: InventoryReleasedV1Item[];
}

export const inventoryReleasedV1 = definePlatformEvent({
  type: 'inventory.released.v1',
  payload: InventoryReleasedV1,
  aggregate: 'reservation',
  subjectField: 'orderId',
  description: 'The reservation of a cancelled order was released: its units moved back from reserved to available.',
});
