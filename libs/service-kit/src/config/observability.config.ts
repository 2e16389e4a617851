import 'reflect-metadata';
import { Expose } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';
import { DatabaseConfig } from './database.config.js';

export const LogLevel = {
  Fatal: 'fatal',
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
  Trace: 'trace',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Why `value` is not an OTLP/HTTP endpoint, or undefined: an absolute http:// or https:// URL. */
function otlpEndpointProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL (the collector\'s OTLP/HTTP endpoint, e.g. http://otel-collector:4318)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL (OTLP over HTTP), not ${url.protocol}`;
  return undefined;
}

function IsOtlpEndpoint() {
  return ValidateBy({
    name: 'isOtlpEndpoint',
    validator: {
      validate: (value: unknown) => otlpEndpointProblem(value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `OTEL_EXPORTER_OTLP_ENDPOINT ${otlpEndpointProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}

/** Logs and traces. Chained after DatabaseConfig (see BaseServiceConfig). */
export class ObservabilityConfig extends DatabaseConfig {
  /** Minimum level written to the JSON log. */
  @Expose()
  @IsIn(Object.values(LogLevel))
  LOG_LEVEL: LogLevel = LogLevel.Info;

  // Tracing (docs/observability.md#traces): spans are exported over OTLP/HTTP only when
  // OTEL_EXPORTER_OTLP_ENDPOINT is set; the SDK reads the other standard OTEL_* variables itself.

  /** Base OTLP/HTTP endpoint of a collector (e.g. `http://otel-collector:4318`); spans are POSTed to `<endpoint>/v1/traces`. Unset: no span is exported. */
  @Expose()
  @IsOptional()
  @IsOtlpEndpoint()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** `service.name` of the exported spans; default the service's name (`order`, `payment`, …). */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  OTEL_SERVICE_NAME?: string;
}
