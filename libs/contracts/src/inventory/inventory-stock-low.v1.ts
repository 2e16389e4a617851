import { Describe, IsQuantity } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsSku } from '../fields.js';

export class InventoryStockLowV1 {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Units still available for reservation after the reservation that crossed the threshold')
  @IsQuantity(0)
  available!: number;

  @Describe('The alert threshold: stock-low fires when available is at or below it')
  @IsQuantity(0)
  threshold!: number;
}

export const inventoryStockLowV1 = definePlatformEvent({
  type: 'inventory.stock-low.v1',
  payload: InventoryStockLowV1,
  aggregate: 'product',
  subjectField: 'sku',
  description: 'A reservation left a product at or below its stock threshold; notification alerts operations.',
});
