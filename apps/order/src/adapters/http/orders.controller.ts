import { BadRequestException, Body, Controller, ForbiddenException, Get, Headers, HttpStatus, NotFoundException, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiProtected, customerScopeOf, Principal, requestEventContext, TenantId } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdmissionRejectedFilter } from './admission-rejected.filter.js';
import { OrderAdmission } from './order-admission.service.js';
import { OrderRateLimitGuard } from './order-rate-limit.guard.js';
import { CreatedOrderView, OrderListView, OrderView, toCreatedView, toOrderView } from './order.views.js';
import { CreateOrderBody, ListOrdersQuery } from './orders.dto.js';
import { OrderQueries } from '../../application/order-queries.js';
import { PlaceOrder } from '../../application/place-order.js';
import type { AdmissionTicket } from '../../domain/admission.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Printable ASCII without spaces, 1–255 characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrder,
    private readonly orders: OrderQueries,
    private readonly admission: OrderAdmission,
  ) {}

  /**
   * 201 with `Location: /orders/<id>`. A repeated `Idempotency-Key` with the same body answers
   * 201 with the same order (and `Idempotent-Replayed: true`); with another body, 422. Above
   * capacity, 503 with `Retry-After` and nothing stored (see `OrderAdmission`), except for a replay.
   * A customer token places orders for its own customer id only (403); past `ORDER_RATE_LIMIT`
   * per token, 429 with `Retry-After`.
   */
  @Post()
  @UseGuards(OrderRateLimitGuard)
  @UseFilters(AdmissionRejectedFilter)
  @ApiOperation({
    summary: 'Place an order',
    description:
      'Prices come from the catalogue. The order starts `PENDING` and becomes `CONFIRMED` or `CANCELLED` as payment and inventory answer (`GET /orders/{id}`). ' +
      'The same `Idempotency-Key` with the same body answers with the same order, never a second one.',
  })
  @ApiProtected({ customerScope: 'only for its own customer id' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes retries safe: 1–255 printable ASCII characters without spaces (a UUID is typical).', schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source } })
  @ApiBody({ type: CreateOrderBody })
  @ApiCreatedResponse({
    description: 'The order was placed (or, for a repeated `Idempotency-Key` with the same body, had been).',
    type: CreatedOrderView,
    headers: {
      Location: { description: '`/orders/<orderId>`', schema: { type: 'string' } },
      'Idempotent-Replayed': { description: '`true` when this answers a repeated `Idempotency-Key`.', schema: { type: 'string', enum: ['true'] } },
    },
  })
  @ApiErrorResponses(
    400,
    [403, "A customer token ordering for another customer id, the token's role, or a tenant other than `X-Tenant-Id`."],
    413,
    415,
    [422, 'An unknown SKU, items priced in different currencies, or an `Idempotency-Key` reused with a different body.'],
    429,
    [503, 'Above capacity (too many pending orders or requests in flight): nothing was stored; retry after `Retry-After` seconds.'],
  )
  async create(
    @TenantId() tenantId: string,
    @Principal() principal: Principal,
    @Body() body: CreateOrderBody,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | string[] | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedOrderView> {
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))) {
      throw new BadRequestException('Idempotency-Key must be 1–255 printable ASCII characters without spaces');
    }
    const own = customerScopeOf(principal);
    if (own !== undefined && body.customerId !== own) throw new ForbiddenException('a customer token places orders only for its own customerId (the token’s sub)');
    const ticket = await this.admit(tenantId, idempotencyKey);
    let created = false;
    try {
      const { order: placed, replayed } = await this.placeOrder.place(tenantId, body, idempotencyKey, requestEventContext(request));
      const order = toCreatedView(placed);
      created = !replayed;
      void reply.status(HttpStatus.CREATED).header('location', `/orders/${order.orderId}`);
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return order;
    } finally {
      ticket.release(created);
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order, with its history' })
  @ApiProtected({ customerScope: 'only its own orders' })
  @ApiParam({ name: 'id', description: 'The order id (a UUID).', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ description: 'The order.', type: OrderView })
  @ApiErrorResponses(400, [404, "No such order in the tenant (another tenant's or another customer's order is not found either)."])
  async get(@TenantId() tenantId: string, @Principal() principal: Principal, @Param('id') id: string): Promise<OrderView> {
    // Order ids are UUIDs: anything else cannot name an order, so it is not found either.
    if (!UUID.test(id)) throw new NotFoundException(`order ${id.slice(0, 64)} not found`);
    const { order, history } = await this.orders.get(tenantId, id.toLowerCase());
    // Another customer's order is not found, exactly like another tenant's: nothing tells it exists.
    const own = customerScopeOf(principal);
    if (own !== undefined && order.customerId !== own) throw new NotFoundException(`order ${id.toLowerCase()} not found`);
    return toOrderView(order, history);
  }

  @Get()
  @ApiOperation({ summary: 'The latest orders', description: 'Newest first, filtered by customer and status.' })
  @ApiProtected({ customerScope: 'only its own orders' })
  @ApiOkResponse({ description: 'The orders.', type: OrderListView })
  @ApiErrorResponses(400, [403, "A customer token asking for another customer's orders, the token's role, or a tenant other than `X-Tenant-Id`."])
  async list(@TenantId() tenantId: string, @Principal() principal: Principal, @Query() query: ListOrdersQuery): Promise<{ items: OrderView[] }> {
    // A customer lists its own orders: customerId defaults to the token's sub, another one is 403.
    const own = customerScopeOf(principal);
    if (own !== undefined && query.customerId !== undefined && query.customerId !== own) {
      throw new ForbiddenException('a customer token lists only its own orders (customerId must be the token’s sub)');
    }
    const customerId = own ?? query.customerId;
    const orders = await this.orders.list(tenantId, { customerId, status: query.status, limit: query.limit ?? 20 });
    return { items: orders.map((order) => toOrderView(order)) };
  }

  /**
   * Admission, or a 503 thrown. A request past a bound whose Idempotency-Key already names an order
   * is a replay of accepted work: it is answered (one primary-key read decides), never shed. A key
   * whose first request has not committed yet is not seen: that retry is shed, and the next one
   * replays.
   */
  private async admit(tenantId: string, idempotencyKey: string | undefined): Promise<AdmissionTicket> {
    const admitted = this.admission.tryAdmit();
    if (typeof admitted !== 'string') return admitted;
    if (idempotencyKey !== undefined && (await this.orders.hasIdempotencyKey(tenantId, idempotencyKey))) return this.admission.admitReplay();
    throw this.admission.reject(admitted);
  }
}
