import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';
import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the order service; shared keys are documented on `BaseServiceConfig`. */
export class OrderServiceConfig extends BaseServiceConfig {
  override PORT = 3000;
  override DATA_DIR = defaultDataDir('order');

  /** An order still PENDING this long after creation is cancelled with reason `timeout`, milliseconds (the brief's ORDER_DEADLINE). */
  @Expose()
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  ORDER_DEADLINE_MS: number = 60_000;

  /** How often pending orders past their deadline are looked for, milliseconds. */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  ORDER_DEADLINE_SWEEP_MS: number = 1_000;
}
