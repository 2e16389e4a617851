import { BaseServiceConfig, defaultDataDir } from '@platform/service-kit';
import { Expose } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

/** Settings of the inventory service; shared keys are documented on `BaseServiceConfig`. */
export class InventoryServiceConfig extends BaseServiceConfig {
  override PORT = 3002;
  override DATA_DIR = defaultDataDir('inventory');

  /** `inventory.stock-low` fires when a reservation leaves a product at or below this many available units. */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  STOCK_LOW_THRESHOLD: number = 5;

  /** Seed the `demo` tenant's catalogue at start when it has no products (`true` or `false`). */
  @Expose()
  @IsIn(['true', 'false'])
  INVENTORY_SEED_DEMO: 'true' | 'false' = 'true';

  /** ISO 4217 currency of every catalogue price. */
  @Expose()
  @Matches(/^[A-Z]{3}$/, { message: 'CATALOGUE_CURRENCY must be an ISO 4217 code such as USD' })
  CATALOGUE_CURRENCY: string = 'USD';
}
