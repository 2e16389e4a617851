import { BaseServiceConfig, defaultDataDir, IsPaymentTokenKeys } from '@platform/service-kit';
import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the payment service; shared keys are documented on `BaseServiceConfig`. */
export class PaymentServiceConfig extends BaseServiceConfig {
  override PORT = 3001;
  override DATA_DIR = defaultDataDir('payment');

  /**
   * Keys opening the card token sealed into `order.created` by the order service:
   * `kid:key[,kid:key…]`, each key 32 random bytes in base64 or base64url; every listed key opens
   * (docs/services.md, "The payment token"). Required; never logged.
   */
  @Expose()
  @IsPaymentTokenKeys()
  PAYMENT_TOKEN_KEYS!: string;

  /** Consecutive transient gateway failures that open the gateway's circuit breaker. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(1000)
  GATEWAY_FAILURE_THRESHOLD: number = 5;

  /**
   * How long an open circuit pauses the payment consumer before one trial call, milliseconds.
   * Keep it below the consumer's ack wait (30 s) so buffered messages are not redelivered meanwhile.
   */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(25_000)
  GATEWAY_OPEN_MS: number = 10_000;
}
