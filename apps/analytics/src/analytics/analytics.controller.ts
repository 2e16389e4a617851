import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import type { Database, EventsRuntime } from '@platform/events';
import { DATABASE, EVENTS_RUNTIME, TenantId } from '@platform/service-kit';
import { PinoLogger } from 'nestjs-pino';
import { rebuildAnalytics, type RebuildAnalyticsResult } from '../replay/rebuild-analytics.js';
import { AnalyticsMetrics, ReplayResult } from './analytics.metrics.js';
import { readTenantTotals } from './analytics.store.js';
import { summaryOf, type AnalyticsSummary } from './apply-rules.js';

@Controller('analytics')
export class AnalyticsController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENTS_RUNTIME) private readonly runtime: EventsRuntime,
    private readonly metrics: AnalyticsMetrics,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AnalyticsController.name);
  }

  /** The tenant's aggregates; zeros for a tenant without events. */
  @Get('summary')
  async summary(@TenantId() tenantId: string): Promise<AnalyticsSummary> {
    const totals = await readTenantTotals(this.db, tenantId);
    return summaryOf(totals.counters, totals.lastEventAt);
  }

  /**
   * Rebuild every tenant's aggregates from the streams (see `rebuildAnalytics`). Operator-only:
   * it is not tenant-scoped and reads the whole history; production deployments must restrict
   * `POST /analytics/rebuild` at the ingress (not routed publicly, or behind operator auth).
   */
  @Post('rebuild')
  @HttpCode(200)
  async rebuild(): Promise<RebuildAnalyticsResult> {
    try {
      const result = await rebuildAnalytics({ db: this.db, js: this.runtime.js, registry: this.runtime.registry, logger: this.logger });
      this.metrics.replayed(ReplayResult.Success);
      return result;
    } catch (error) {
      this.metrics.replayed(ReplayResult.Failure);
      throw error;
    }
  }
}
