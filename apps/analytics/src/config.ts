import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the analytics service; every key and its default is documented on `BaseServiceConfig`. */
export class AnalyticsServiceConfig extends BaseServiceConfig {
  override PORT = 3004;
  override DATA_DIR = defaultDataDir('analytics');
}
