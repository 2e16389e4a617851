import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { ProductChanges } from '../../domain/product.js';

/** Body of `PUT /products/:sku`: every field optional; a new SKU needs `name` and `priceCents`. */
export class PutProductBody implements ProductChanges {
  /** Display name, 1–200 characters. */
  @ApiPropertyOptional({ type: 'string', minLength: 1, maxLength: 200, description: 'Display name (required for a new SKU).' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** Unit price in minor units of the catalogue currency. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100_000_000, description: 'Unit price, minor units of the catalogue currency (required for a new SKU).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents?: number;

  /** Units that can be reserved (a stock correction); units held by pending orders are not affected. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000_000, description: 'Units that can be reserved (a stock correction); units held by pending orders are not affected.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  available?: number;
}
