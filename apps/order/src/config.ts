import { BaseServiceConfig, defaultDataDir, IsPaymentTokenKeys } from '@platform/service-kit';
import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of the order service; shared keys are documented on `BaseServiceConfig`. */
export class OrderServiceConfig extends BaseServiceConfig {
  override PORT = 3000;
  override DATA_DIR = defaultDataDir('order');

  /**
   * Keys sealing the card token into `order.created` for the payment service only: `kid:key[,kid:key…]`,
   * each key 32 random bytes in base64 or base64url; the first seals. The same value as payment's
   * (docs/services.md, "The payment token"). Required; never logged.
   */
  @Expose()
  @IsPaymentTokenKeys()
  PAYMENT_TOKEN_KEYS!: string;

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

  /**
   * How long an `Idempotency-Key` replays its order, milliseconds (default 24 h, at least 1 min).
   * After it, the key is forgotten and the same key places a new order.
   */
  @Expose()
  @IsInt()
  @Min(60_000)
  @Max(90 * 86_400_000)
  ORDER_IDEMPOTENCY_TTL_MS: number = 86_400_000;

  /** How often expired idempotency keys are deleted, milliseconds. */
  @Expose()
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  ORDER_IDEMPOTENCY_SWEEP_MS: number = 60_000;

  /**
   * Admission control: `POST /orders` answers 503 while this many orders are in flight end to end
   * (PENDING in the database, plus those accepted or being accepted since the last count). 0 = no
   * bound. 500 keeps created→terminal latency near 500 / throughput (under 2 s at 300 orders/s)
   * while 100 orders/s would need a flow 5 s slow before anything is shed.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  ORDER_ADMISSION_MAX_PENDING: number = 500;

  /**
   * Admission control: `POST /orders` answers 503 while this many `POST /orders` are being handled
   * by this process. 0 = no bound. Requests past the 10 database connections only queue, and the
   * queue is what makes POST slow: 64 stays under 1 s while this process stores 64+ orders/s.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(100_000)
  ORDER_ADMISSION_MAX_IN_FLIGHT: number = 64;

  /** How often admission control counts the PENDING orders in the database, milliseconds. */
  @Expose()
  @IsInt()
  @Min(10)
  @Max(60_000)
  ORDER_ADMISSION_REFRESH_MS: number = 250;

  /** `Retry-After` of a shed `POST /orders`, whole seconds. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3600)
  ORDER_ADMISSION_RETRY_AFTER_S: number = 1;

  /**
   * Rate limit of `POST /orders` per token (tenant + `sub`): at most this many in each
   * `ORDER_RATE_LIMIT_WINDOW_MS`, then 429 with `Retry-After`. Counted per process (each replica
   * counts on its own). 20/s is far above what one shopper does and bounds a leaked token.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  ORDER_RATE_LIMIT: number = 20;

  /** The window of `ORDER_RATE_LIMIT`, milliseconds. */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  ORDER_RATE_LIMIT_WINDOW_MS: number = 1_000;
}
