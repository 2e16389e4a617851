import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiProtected, PageLimit, Role, Roles, TenantId } from '@platform/service-kit';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PaymentsService } from '../../application/payments.service.js';
import { PaymentListView, type PaymentView, toPaymentView } from './payment.views.js';

export class ListPaymentsQuery {
  /** Only the payment of this order. */
  @ApiPropertyOptional({ type: 'string', minLength: 1, maxLength: 64, description: 'Only the payment of this order.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  orderId?: string;

  /** 1–100, default 50; newest first. */
  @PageLimit(50)
  limit?: number;
}

@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's payments", description: 'Newest first; `orderId` narrows to the payment of one order.' })
  @ApiProtected({ roles: ['operator'] })
  @ApiOkResponse({ description: 'The payments.', type: PaymentListView })
  @ApiErrorResponses(400)
  @Roles(Role.Operator) // payments are an operator read: customers follow their order instead
  async list(@TenantId() tenantId: string, @Query() query: ListPaymentsQuery): Promise<{ items: PaymentView[] }> {
    return { items: (await this.payments.list(tenantId, { orderId: query.orderId, limit: query.limit ?? 50 })).map(toPaymentView) };
  }
}
