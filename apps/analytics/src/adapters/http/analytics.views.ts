import { ApiProperty } from '@nestjs/swagger';
import { ANALYTICS_STREAMS, type AnalyticsStream, type RebuildAnalyticsResult } from '../../application/rebuild-analytics.js';
import { CANCELLATION_REASONS, type AnalyticsSummary, type CancellationReason } from '../../domain/apply-rules.js';

const count = (description: string) => ApiProperty({ type: 'integer', minimum: 0, description });
const countsBy = (keys: readonly string[], description: string) =>
  ApiProperty({
    type: 'object',
    description,
    properties: Object.fromEntries(keys.map((key) => [key, { type: 'integer', minimum: 0 }])),
    required: [...keys],
    additionalProperties: false,
  });

/** {@link AnalyticsSummary} as documented in the OpenAPI document (`GET /analytics/summary`). */
export class AnalyticsSummaryView implements AnalyticsSummary {
  @count('Orders placed.')
  ordersCreated!: number;

  @count('Orders confirmed.')
  ordersConfirmed!: number;

  @count('Orders cancelled (every reason).')
  ordersCancelled!: number;

  @countsBy(CANCELLATION_REASONS, 'Cancelled orders by reason.')
  cancellationsByReason!: Record<CancellationReason, number>;

  @count('Sum of the totals of confirmed orders, minor units.')
  revenueCents!: number;

  @count('Sum of refunded payment amounts, minor units.')
  refundedCents!: number;

  @count('Payments authorized.')
  paymentsAuthorized!: number;

  @count('Payments declined.')
  paymentsDeclined!: number;

  @count('Payments captured.')
  paymentsCaptured!: number;

  @count('Authorizations voided.')
  paymentsVoided!: number;

  @count('Payments refunded.')
  paymentsRefunded!: number;

  @count('Units reserved (sum of the quantities of reserved lines).')
  itemsReserved!: number;

  @count('Stock-low alerts.')
  stockLowAlerts!: number;

  @count('Loyalty points awarded.')
  pointsAwarded!: number;

  @count('Notifications sent.')
  notificationsSent!: number;

  @ApiProperty({ type: 'number', minimum: 0, maximum: 1, description: 'confirmed / (confirmed + cancelled); 0 when no order reached a terminal state.' })
  confirmationRatio!: number;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Time of the latest applied event, null when none.' })
  lastEventAt!: string | null;
}

/** {@link RebuildAnalyticsResult} as documented in the OpenAPI document (`POST /analytics/rebuild`). */
export class RebuildAnalyticsResultView implements RebuildAnalyticsResult {
  @countsBy(ANALYTICS_STREAMS, 'Per stream: messages read and applied.')
  rebuilt!: Record<AnalyticsStream, number>;

  @count('Messages that were malformed, of an unknown or unsupported type, or invalid: counted, logged, not applied.')
  skipped!: number;
}
