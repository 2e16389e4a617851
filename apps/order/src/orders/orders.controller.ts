import { BadRequestException, Body, Controller, Get, Headers, HttpStatus, NotFoundException, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { requestEventContext, TenantId } from '@platform/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdmissionRejectedFilter } from './admission-rejected.filter.js';
import { OrderAdmission, type AdmissionTicket } from './order-admission.service.js';
import type { CreatedOrderView, OrderView } from './order.views.js';
import { CreateOrderBody, ListOrdersQuery } from './orders.dto.js';
import { OrdersService } from './orders.service.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Printable ASCII without spaces, 1–255 characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly admission: OrderAdmission,
  ) {}

  /**
   * 201 with `Location: /orders/<id>`. A repeated `Idempotency-Key` with the same body answers
   * 201 with the same order (and `Idempotent-Replayed: true`); with another body, 422. Above
   * capacity, 503 with `Retry-After` and nothing stored (see `OrderAdmission`), except for a replay.
   */
  @Post()
  @UseFilters(AdmissionRejectedFilter)
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
    const ticket = await this.admit(tenantId, idempotencyKey);
    let created = false;
    try {
      const { order, replayed } = await this.orders.place(tenantId, body, idempotencyKey, requestEventContext(request));
      created = !replayed;
      void reply.status(HttpStatus.CREATED).header('location', `/orders/${order.orderId}`);
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return order;
    } finally {
      ticket.release(created);
    }
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
