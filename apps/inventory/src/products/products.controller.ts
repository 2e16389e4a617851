import { BadRequestException, Body, Controller, Get, HttpStatus, NotFoundException, Param, Put, Req, Res } from '@nestjs/common';
import { SKU_PATTERN } from '@platform/events';
import { requestEventContext, TenantId } from '@platform/service-kit';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProductView } from './product.js';
import { ProductsService } from './products.service.js';

/** Body of `PUT /products/:sku`: every field optional; a new SKU needs `name` and `priceCents`. */
export class PutProductBody {
  /** Display name, 1–200 characters. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** Unit price in minor units of the catalogue currency. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents?: number;

  /** Units that can be reserved (a stock correction); units held by pending orders are not affected. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  available?: number;
}

function assertSku(sku: string): void {
  // A SKU that cannot exist is simply not found (the same answer as a well-formed unknown one).
  if (!SKU_PATTERN.test(sku)) throw new NotFoundException(`product ${sku.slice(0, 64)} not found`);
}

@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  async list(@TenantId() tenantId: string): Promise<{ items: ProductView[] }> {
    return { items: await this.products.list(tenantId) };
  }

  @Get(':sku')
  async get(@TenantId() tenantId: string, @Param('sku') sku: string): Promise<ProductView> {
    assertSku(sku);
    return this.products.get(tenantId, sku);
  }

  /** 200 with the product when it existed, 201 when this request created it. */
  @Put(':sku')
  async put(
    @TenantId() tenantId: string,
    @Param('sku') sku: string,
    @Body() body: PutProductBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductView> {
    if (!SKU_PATTERN.test(sku)) throw new BadRequestException(`sku must match ${SKU_PATTERN.source} (upper-case letters, digits and dashes, 1–64 characters)`);
    const { product, created } = await this.products.put(tenantId, sku, body, requestEventContext(request));
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return product;
  }
}
