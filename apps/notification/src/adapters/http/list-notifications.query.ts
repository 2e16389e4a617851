import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsCustomerId, IsEntityId } from '@platform/contracts';
import { PageLimit } from '@platform/service-kit';

export const DEFAULT_LIMIT = 50;

/** The query of `GET /notifications`. */
export class ListNotificationsQuery {
  /** Notifications about this order (a UUID). Exactly one of `orderId` and `customerId`. */
  @ApiPropertyOptional({ type: 'string', format: 'uuid', description: 'Notifications about this order. Exactly one of `orderId` and `customerId`.' })
  @IsOptional()
  @IsEntityId()
  orderId?: string;

  /** Notifications for this customer (1–64 characters). Exactly one of `orderId` and `customerId`. */
  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: 64,
    description: "Notifications for this customer (a customer token: its own only). Exactly one of `orderId` and `customerId`.",
  })
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  /** At most this many, 1–100, default 50. */
  @PageLimit(DEFAULT_LIMIT)
  limit?: number;
}
