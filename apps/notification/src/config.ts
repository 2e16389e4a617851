import { Expose } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';

/** Settings of the notification service; the shared keys and their defaults are documented on `BaseServiceConfig`. */
export class NotificationServiceConfig extends BaseServiceConfig {
  override PORT = 3003;
  override DATA_DIR = defaultDataDir('notification');

  /** Recipient of operations alerts (stock-low), sent on the `webhook` channel; 1–254 characters. */
  @Expose()
  @IsString()
  @Length(1, 254)
  NOTIFICATION_OPS_RECIPIENT: string = 'ops';
}
