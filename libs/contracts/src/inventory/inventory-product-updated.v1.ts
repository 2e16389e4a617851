import { IsString, Length } from 'class-validator';
import { Describe, IsQuantity } from '@platform/events';
import { definePlatformEvent } from '../subjects.js';
import { IsCurrencyCode, IsMinorUnits, IsSku } from '../fields.js';

/** The full current state of a catalogue product (event-carried state transfer). */
export class InventoryProductUpdatedV1 {
  @Describe('Catalogue SKU')
  @IsSku()
  sku!: string;

  @Describe('Display name, 1–200 characters')
  @IsString()
  @Length(1, 200)
  name!: string;

  @Describe('Unit price in minor units of currency')
  @IsMinorUnits()
  priceCents!: number;

  @Describe('ISO 4217 currency code of the price')
  @IsCurrencyCode()
  currency!: string;

  @Describe('Units that can still be reserved')
  @IsQuantity(0)
  available!: number;
}

export const inventoryProductUpdatedV1 = definePlatformEvent({
  type: 'inventory.product-updated.v1',
  payload: InventoryProductUpdatedV1,
  aggregate: 'product',
  subjectField: 'sku',
  description:
    'A product was created or changed (seed, PUT /products/:sku); carries its full state so the order service keeps its price projection without calling inventory.',
});
