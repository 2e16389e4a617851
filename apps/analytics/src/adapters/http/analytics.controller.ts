import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiProtected, Role, Roles, TenantId } from '@platform/service-kit';
import { AnalyticsQueries } from '../../application/analytics-queries.js';
import { AnalyticsRebuild } from '../../application/analytics-rebuild.js';
import type { RebuildAnalyticsResult } from '../../application/rebuild-analytics.js';
import type { AnalyticsSummary } from '../../domain/apply-rules.js';
import { AnalyticsSummaryView, RebuildAnalyticsResultView } from './analytics.views.js';

@ApiTags('analytics')
@Controller('analytics')
@Roles(Role.Operator) // the tenant's aggregates and rebuilds: operators only (403 for a customer)
export class AnalyticsController {
  constructor(
    private readonly queries: AnalyticsQueries,
    private readonly rebuilds: AnalyticsRebuild,
  ) {}

  /** The tenant's aggregates; zeros for a tenant without events. */
  @Get('summary')
  @ApiOperation({ summary: "The tenant's aggregates", description: 'Counters of the tenant over every event so far; zeros for a tenant without events.' })
  @ApiProtected({ roles: ['operator'] })
  @ApiOkResponse({ description: 'The aggregates.', type: AnalyticsSummaryView })
  @ApiErrorResponses(400)
  async summary(@TenantId() tenantId: string): Promise<AnalyticsSummary> {
    return this.queries.summary(tenantId);
  }

  /**
   * Rebuild every tenant's aggregates from the streams (see `rebuildAnalytics`). Operator-only:
   * it is not tenant-scoped and reads the whole history, so it needs an operator token (403
   * otherwise) and production deployments should also keep it off the public ingress.
   */
  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary: "Rebuild every tenant's aggregates from the streams",
    description: 'Replays the domain streams in one transaction (live handlers wait). Not tenant-scoped: it reads the whole history.',
  })
  @ApiProtected({ roles: ['operator'] })
  @ApiOkResponse({ description: 'The aggregates were rebuilt.', type: RebuildAnalyticsResultView })
  @ApiErrorResponses(400, 429)
  rebuild(): Promise<RebuildAnalyticsResult> {
    return this.rebuilds.run();
  }
}
