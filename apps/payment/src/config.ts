import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the payment service; every key and its default is documented on `BaseServiceConfig`. */
export class PaymentServiceConfig extends BaseServiceConfig {
  override PORT = 3001;
  override DATA_DIR = defaultDataDir('payment');
}
