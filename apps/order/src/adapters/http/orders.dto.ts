import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomerId, IsPaymentToken, IsSku, PAYMENT_TOKEN_PATTERN, SKU_PATTERN } from '@platform/contracts';
import { IsQuantity, NestedArray } from '@platform/events';
import { PageLimit } from '@platform/service-kit';
import { IsIn, IsOptional } from 'class-validator';
import { OrderStatus } from '../../domain/order-flow.js';

export class OrderLineBody {
  /** Catalogue SKU (`SKU-001`). */
  @ApiProperty({ type: 'string', description: 'Catalogue SKU.', pattern: SKU_PATTERN.source, minLength: 1, maxLength: 64, example: 'SKU-001' })
  @IsSku()
  sku!: string;

  /** 1–100 units. */
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100, example: 2 })
  @IsQuantity(1, 100)
  quantity!: number;
}

/** Body of `POST /orders`; prices come from the catalogue, never from the client. */
export class CreateOrderBody {
  /** 1–64 characters. */
  @ApiProperty({ type: 'string', minLength: 1, maxLength: 64, description: 'The customer; a customer token may only order for itself (its subject).', example: 'c-1' })
  @IsCustomerId()
  customerId!: string;

  /** 1–50 lines. */
  @ApiProperty({ type: () => [OrderLineBody], minItems: 1, maxItems: 50, description: 'Prices come from the catalogue.' })
  @NestedArray(() => OrderLineBody, 1, 50)
  items!: OrderLineBody[];

  /** Card token, `tok_…` (Stripe-test style). */
  @ApiProperty({ type: 'string', pattern: PAYMENT_TOKEN_PATTERN.source, description: 'Card token of the simulated gateway (`tok_visa`; `tok_decline`, `tok_insufficient_funds` are declined).', example: 'tok_visa' })
  @IsPaymentToken()
  paymentToken!: string;
}

export class ListOrdersQuery {
  @ApiPropertyOptional({ type: 'string', minLength: 1, maxLength: 64, description: "Only this customer's orders (a customer token sees only its own anyway)." })
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @ApiPropertyOptional({ type: 'string', enum: Object.values(OrderStatus), description: 'Only orders in this status.' })
  @IsOptional()
  @IsIn(Object.values(OrderStatus))
  status?: OrderStatus;

  /** 1–100, default 20; newest first. */
  @PageLimit(20)
  limit?: number;
}
