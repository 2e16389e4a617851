import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the order service; every key and its default is documented on `BaseServiceConfig`. */
export class OrderServiceConfig extends BaseServiceConfig {
  override PORT = 3000;
  override DATA_DIR = defaultDataDir('order');
}
