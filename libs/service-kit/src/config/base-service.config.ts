import 'reflect-metadata';
import { resolve } from 'node:path';
import { Expose } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const LogLevel = {
  Fatal: 'fatal',
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
  Trace: 'trace',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** `.data/<service>` under the current working directory: the default home of a service's local state. */
export function defaultDataDir(service: string): string {
  return resolve('.data', service);
}

/**
 * Settings every service reads from its environment. Each app subclasses it to set its own
 * `PORT` and `DATA_DIR` defaults and to add its own keys; load it with `loadConfig()`.
 * Defaults are the property initialisers; an empty environment value counts as unset.
 */
export class BaseServiceConfig {
  /** HTTP port, 1–65535 (0 asks the OS for a free port, which tests use). Default set per app. */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(65_535)
  PORT: number = 3000;

  /** Bind address of the HTTP server. */
  @Expose()
  @IsString()
  @MinLength(1)
  HOST: string = '0.0.0.0';

  /** NATS server URL(s) with JetStream, comma-separated for a cluster. */
  @Expose()
  @IsString()
  @MinLength(1)
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** PostgreSQL URL (`postgres://` or `postgresql://`). Unset: embedded PGlite in `DATA_DIR`. */
  @Expose()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** Folder for the service's local state (PGlite). Default `.data/<service>` under the working directory. */
  @Expose()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  DATA_DIR: string = defaultDataDir('service');

  /** Minimum level written to the JSON log. */
  @Expose()
  @IsIn(Object.values(LogLevel))
  LOG_LEVEL: LogLevel = LogLevel.Info;

  /** First retry delay of a failed event handler, milliseconds (doubling with jitter per attempt). */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  EVENT_RETRY_INITIAL_MS: number = 1_000;

  /** Cap of the retry delay of a failed event handler, milliseconds. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  EVENT_RETRY_MAX_MS: number = 60_000;

  /**
   * Messages of one consumer handled together in one database transaction at most (a batch takes
   * what is ready, so a lone message is never delayed). At most 64.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_BATCH_SIZE: number = 50;

  /**
   * Batch transactions that may run at once across the service's consumers. 1 keeps handlers
   * that lock rows of several aggregates free of deadlocks between consumers.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_TRANSACTION_CONCURRENCY: number = 1;

  /** After SIGTERM/SIGINT, exit forcibly when draining takes longer than this, milliseconds. */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS: number = 25_000;
}
