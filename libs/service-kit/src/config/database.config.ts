import 'reflect-metadata';
import { resolve } from 'node:path';
import { Expose } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { NatsConfig } from './nats.config.js';

/** `.data/<service>` under the current working directory: the default home of a service's local state. */
export function defaultDataDir(service: string): string {
  return resolve('.data', service);
}

/** The service's storage: PostgreSQL and its connection budget, or PGlite in DATA_DIR. Chained after NatsConfig (see BaseServiceConfig). */
export class DatabaseConfig extends NatsConfig {
  /** PostgreSQL URL (`postgres://` or `postgresql://`). Unset: embedded PGlite in `DATA_DIR`. */
  @Expose()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /**
   * PostgreSQL: pooled connections of this process. It holds at most `DB_POOL_SIZE + 2` (the
   * LISTEN connection, and the outbox relay leader's lock): with the default 5, twelve processes
   * (two replicas of six services) hold at most 84 of PostgreSQL's default 100 (docs/development.md).
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(100)
  DB_POOL_SIZE: number = 5;

  /** PostgreSQL: how long a query waits for a pooled connection before failing, milliseconds. */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_ACQUIRE_TIMEOUT_MS: number = 10_000;

  /** PostgreSQL: server-side `statement_timeout` of pooled connections, milliseconds (0 = none). Keep it below the consumers' ack wait (30 s). */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS: number = 15_000;

  /** Folder for the service's local state (PGlite). Default `.data/<service>` under the working directory. */
  @Expose()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  DATA_DIR: string = defaultDataDir('service');
}
