import { Controller, Get, Query } from '@nestjs/common';
import { TenantId } from '@platform/service-kit';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PaymentsService, type PaymentView } from './payments.service.js';

export class ListPaymentsQuery {
  /** Only the payment of this order. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  orderId?: string;

  /** 1–100, default 50; newest first. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  async list(@TenantId() tenantId: string, @Query() query: ListPaymentsQuery): Promise<{ items: PaymentView[] }> {
    return { items: await this.payments.list(tenantId, { orderId: query.orderId, limit: query.limit ?? 50 }) };
  }
}
