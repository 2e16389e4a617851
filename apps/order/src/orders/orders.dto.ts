import { IsCustomerId, IsPaymentToken, IsQuantity, IsSku, NestedArray } from '@platform/events';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { OrderStatus } from '../domain/order-flow.js';

export class OrderLineBody {
  /** Catalogue SKU (`SKU-001`). */
  @IsSku()
  sku!: string;

  /** 1–100 units. */
  @IsQuantity(1, 100)
  quantity!: number;
}

/** Body of `POST /orders`; prices come from the catalogue, never from the client. */
export class CreateOrderBody {
  /** 1–64 characters. */
  @IsCustomerId()
  customerId!: string;

  /** 1–50 lines. */
  @NestedArray(() => OrderLineBody, 1, 50)
  items!: OrderLineBody[];

  /** Card token, `tok_…` (Stripe-test style). */
  @IsPaymentToken()
  paymentToken!: string;
}

export class ListOrdersQuery {
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @IsIn(Object.values(OrderStatus))
  status?: OrderStatus;

  /** 1–100, default 20; newest first. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
