import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the inventory service; every key and its default is documented on `BaseServiceConfig`. */
export class InventoryServiceConfig extends BaseServiceConfig {
  override PORT = 3002;
  override DATA_DIR = defaultDataDir('inventory');
}
