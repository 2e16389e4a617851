import { Describe, IsQuantity, NestedArray } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsEntityId, IsSku } from '../fields.js';

export class InventoryCommittedV1Item {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units removed from reserved')
  @IsQuantity(1)
  quantity!: number;
}

export class InventoryCommittedV1 {
  @Describe('The order the stock is held for')
  @IsEntityId()
  orderId!: string;

  @Describe('1–50 lines')
  @NestedArray(() => InventoryCommittedV1Item, 1, 50)
  items!: InventoryCommittedV1Item[];
}

export const inventoryCommittedV1 = definePlatformEvent({
  type: 'inventory.committed.v1',
  payload: InventoryCommittedV1,
  aggregate: 'reservation',
  subjectField: 'orderId',
  description: 'The reservation of a confirmed order was committed: its units left reserved stock for good.',
});
