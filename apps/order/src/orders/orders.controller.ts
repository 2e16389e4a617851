import { BadRequestException, Body, Controller, Get, Headers, HttpStatus, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { requestEventContext, TenantId } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CreatedOrderView, OrderView } from './order.views.js';
import { CreateOrderBody, ListOrdersQuery } from './orders.dto.js';
import { OrdersService } from './orders.service.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Printable ASCII without spaces, 1–255 characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /**
   * 201 with `Location: /orders/<id>`. A repeated `Idempotency-Key` with the same body answers
   * 201 with the same order (and `Idempotent-Replayed: true`); with another body, 422.
   */
  @Post()
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateOrderBody,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | string[] | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedOrderView> {
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))) {
      throw new BadRequestException('Idempotency-Key must be 1–255 printable ASCII characters without spaces');
    }
    const { order, replayed } = await this.orders.place(tenantId, body, idempotencyKey, requestEventContext(request));
    void reply.status(HttpStatus.CREATED).header('location', `/orders/${order.orderId}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return order;
  }

  @Get(':id')
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<OrderView> {
    // Order ids are UUIDs: anything else cannot name an order, so it is not found either.
    if (!UUID.test(id)) throw new NotFoundException(`order ${id.slice(0, 64)} not found`);
    return this.orders.get(tenantId, id.toLowerCase());
  }

  @Get()
  async list(@TenantId() tenantId: string, @Query() query: ListOrdersQuery): Promise<{ items: OrderView[] }> {
    return { items: await this.orders.list(tenantId, { customerId: query.customerId, status: query.status, limit: query.limit ?? 20 }) };
  }
}
