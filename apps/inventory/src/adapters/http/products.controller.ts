import { BadRequestException, Body, Controller, Get, HttpStatus, NotFoundException, Param, Put, Req, Res } from '@nestjs/common';
import { SKU_PATTERN } from '@platform/contracts';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiProtected, requestEventContext, Role, Roles, TenantId } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProductsService } from '../../application/products.service.js';
import { ProductListView, ProductView } from './product.views.js';
import { PutProductBody } from './products.dto.js';

function assertSku(sku: string): void {
  // A SKU that cannot exist is simply not found (the same answer as a well-formed unknown one).
  if (!SKU_PATTERN.test(sku)) throw new NotFoundException(`product ${sku.slice(0, 64)} not found`);
}

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiOperation({ summary: 'The catalogue', description: 'Every product of the tenant with its stock.' })
  @ApiProtected()
  @ApiOkResponse({ description: 'The products.', type: ProductListView })
  @ApiErrorResponses(400)
  async list(@TenantId() tenantId: string): Promise<{ items: ProductView[] }> {
    return { items: await this.products.list(tenantId) };
  }

  @Get(':sku')
  @ApiOperation({ summary: 'One product' })
  @ApiProtected()
  @ApiParam({ name: 'sku', description: 'The SKU.', schema: { type: 'string', pattern: SKU_PATTERN.source } })
  @ApiOkResponse({ description: 'The product.', type: ProductView })
  @ApiErrorResponses(400, 404)
  async get(@TenantId() tenantId: string, @Param('sku') sku: string): Promise<ProductView> {
    assertSku(sku);
    return this.products.get(tenantId, sku);
  }

  /** 200 with the product when it existed, 201 when this request created it. */
  @Put(':sku')
  @ApiOperation({
    summary: 'Create or change a product',
    description: 'Every field is optional; a new SKU needs `name` and `priceCents`. Emits `inventory.product-updated` (docs/events-catalogue.md).',
  })
  @ApiProtected({ roles: ['operator'] })
  @ApiParam({ name: 'sku', description: 'The SKU (400 when malformed).', schema: { type: 'string', pattern: SKU_PATTERN.source } })
  @ApiBody({ type: PutProductBody })
  @ApiOkResponse({ description: 'The product existed and was changed.', type: ProductView })
  @ApiCreatedResponse({ description: 'The product was created.', type: ProductView })
  @ApiErrorResponses(
    [400, 'Invalid or unknown fields, a malformed SKU, or a malformed `X-Tenant-Id`.'],
    413,
    415,
    [422, 'A new SKU without `name` or `priceCents`.'],
    429,
  )
  @Roles(Role.Operator) // catalogue writes: operators only (403 for a customer)
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
