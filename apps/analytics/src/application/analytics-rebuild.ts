import { Inject, Injectable } from '@nestjs/common';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Database, EventRegistry } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import { PinoLogger } from 'nestjs-pino';
import { AnalyticsMetrics, ReplayResult } from './analytics.metrics.js';
import { rebuildAnalytics, type RebuildAnalyticsResult } from './rebuild-analytics.js';

/** The streams as stored history, what a rebuild reads: a JetStream client, and the registry that decodes and upcasts. */
export interface EventStreams {
  readonly js: JetStreamClient;
  readonly registry: EventRegistry;
}

/** Injection token of the service's `EventStreams` (provided in adapters/events). */
export const EVENT_STREAMS = Symbol('EVENT_STREAMS');

/** `POST /analytics/rebuild`: every tenant's aggregates rebuilt from the streams (see `rebuildAnalytics`), counted by result. */
@Injectable()
export class AnalyticsRebuild {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STREAMS) private readonly streams: EventStreams,
    private readonly metrics: AnalyticsMetrics,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AnalyticsRebuild.name);
  }

  async run(): Promise<RebuildAnalyticsResult> {
    try {
      const result = await rebuildAnalytics({ db: this.db, js: this.streams.js, registry: this.streams.registry, logger: this.logger });
      this.metrics.replayed(ReplayResult.Success);
      return result;
    } catch (error) {
      this.metrics.replayed(ReplayResult.Failure);
      throw error;
    }
  }
}
