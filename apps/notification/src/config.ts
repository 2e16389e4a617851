import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the notification service; every key and its default is documented on `BaseServiceConfig`. */
export class NotificationServiceConfig extends BaseServiceConfig {
  override PORT = 3003;
  override DATA_DIR = defaultDataDir('notification');
}
