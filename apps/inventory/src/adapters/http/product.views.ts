import { ApiProperty } from '@nestjs/swagger';
import { SKU_PATTERN } from '@platform/contracts';
import type { Product } from '../../domain/product.js';

/** A product as the HTTP API shows it (design brief §6). */
export class ProductView implements Product {
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
