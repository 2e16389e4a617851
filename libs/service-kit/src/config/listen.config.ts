import 'reflect-metadata';
import { Expose } from 'class-transformer';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/** Where the service's HTTP server listens: the first of the config classes BaseServiceConfig chains. */
export class ListenConfig {
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
}
