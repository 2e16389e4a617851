import { Injectable, NotFoundException } from '@nestjs/common';
import type { HistoryEntry, Order } from '../domain/order.js';
import { IdempotencyKeysStore, type OrderFilter, OrdersStore } from './ports.js';

/** Reads of orders, outside any transaction. */
@Injectable()
export class OrderQueries {
  constructor(
    private readonly orders: OrdersStore,
    private readonly keys: IdempotencyKeysStore,
  ) {}

  /** One order of the tenant with its history, oldest first; 404 when the tenant has no such order. */
  async get(tenantId: string, orderId: string): Promise<{ order: Order; history: HistoryEntry[] }> {
    const order = await this.orders.find(tenantId, orderId);
    if (!order) throw new NotFoundException(`order ${orderId} not found`);
    return { order, history: await this.orders.history(orderId) };
  }

  /** The tenant's latest orders, newest first. */
  list(tenantId: string, filter: OrderFilter): Promise<Order[]> {
    return this.orders.list(tenantId, filter);
  }

  /** PENDING orders of every tenant, at most `cap` counted (admission control). */
  countPending(cap: number): Promise<number> {
    return this.orders.countPending(cap);
  }

  /** Whether `key` already names an order of the tenant: a request with it would be a replay. */
  hasIdempotencyKey(tenantId: string, key: string): Promise<boolean> {
    return this.keys.exists(tenantId, key);
  }
}
