import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the loyalty service; every key and its default is documented on `BaseServiceConfig`. */
export class LoyaltyServiceConfig extends BaseServiceConfig {
  override PORT = 3005;
  override DATA_DIR = defaultDataDir('loyalty');
}
