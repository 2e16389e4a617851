import { ApiProperty } from '@nestjs/swagger';
import { SKU_PATTERN } from '@platform/contracts';

/** A product as the HTTP API shows it (design brief §6). */
export class ProductView {
  @ApiProperty({ type: 'string', pattern: SKU_PATTERN.source, example: 'SKU-001' })
  readonly sku!: string;

  @ApiProperty({ type: 'string', minLength: 1, maxLength: 200, example: 'Espresso beans, 1 kg' })
  readonly name!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Unit price, minor units of `currency`.', example: 1500 })
  readonly priceCents!: number;

  @ApiProperty({ type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency of the catalogue.', example: 'USD' })
  readonly currency!: string;

  /** Units that can still be reserved. */
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Units that can still be reserved.' })
  readonly available!: number;

  /** Units held by pending orders. */
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Units held by pending orders (moved back to `available` if they are released).' })
  readonly reserved!: number;
}

/** `GET /products`. */
export class ProductListView {
  @ApiProperty({ type: () => [ProductView] })
  readonly items!: ProductView[];
}

export interface ProductRow {
  sku: string;
  name: string;
  price_cents: string | number;
  currency: string;
  available: number;
  reserved: number;
  low_stock_threshold: number;
}

export const PRODUCT_COLUMNS = 'sku, name, price_cents, currency, available, reserved, low_stock_threshold';

export function toProductView(row: ProductRow): ProductView {
  return { sku: row.sku, name: row.name, priceCents: Number(row.price_cents), currency: row.currency, available: row.available, reserved: row.reserved };
}
