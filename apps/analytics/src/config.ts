import { AtLeastKey, BaseServiceConfig, defaultDataDir } from '@platform/service-kit';
import { Expose } from 'class-transformer';
import { IsInt, Min } from 'class-validator';

/** Settings of the analytics service; the shared keys and their defaults are documented on `BaseServiceConfig`. */
export class AnalyticsServiceConfig extends BaseServiceConfig {
  override PORT = 3004;
  override DATA_DIR = defaultDataDir('analytics');

  /**
   * Facts (`analytics_facts`, one per applied event id) are deleted this long after they were
   * applied, milliseconds; at least EVENTS_SEQUENCE_RETENTION_MS (itself at least the inbox
   * retention). The summaries do not depend on the facts: a fact only makes a second application
   * of its event id a no-op, and past the inbox (8 days) and sequence (35 days) retentions it is
   * the last guard for the paths they do not cover: an event applied by a rebuild from the
   * streams and then delivered live (within the streams' max age, 7 days) or redriven from the
   * DLQ (up to its max age, 30 days, after it was dead-lettered, which itself happens within
   * the streams' 7 days; a redrive passes the sequence checks of its consumer). Default 45 days:
   * more than 30 + 7 days, with margin.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @AtLeastKey('EVENTS_SEQUENCE_RETENTION_MS')
  ANALYTICS_FACT_RETENTION_MS: number = 45 * 86_400_000;
}
