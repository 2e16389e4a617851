import { activeTraceFields } from '@platform/events';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/base-service.config.js';

export interface ServiceLoggerOptions {
  readonly service: string;
  readonly level: LogLevel;
  /** Where the JSON lines go. Default: stdout. */
  readonly destination?: DestinationStream;
}

/**
 * The process's root logger: JSON lines (pino) with `service` and `pid` on every line, and
 * `traceId`, `spanId`, `correlationId` on every line written while a request or an event is being
 * handled. One per process: the HTTP logger (nestjs-pino), the events library (`context: events`)
 * and the trace exporter (`context: tracing`) write through it or its children.
 */
export function createServiceLogger(options: ServiceLoggerOptions): Logger {
  const settings = {
    level: options.level,
    base: { service: options.service, pid: process.pid },
    mixin: () => activeTraceFields(),
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
