import type { IncomingMessage } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { activeTraceFields, type Hop } from '@platform/events';
import { LoggerModule } from 'nestjs-pino';
import { REQUEST_HOP } from '../http/trace-context.hook.js';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { LogLevel } from '../config/base-service.config.js';

export interface ServiceLoggerOptions {
  readonly service: string;
  readonly level: LogLevel;
  /** Where the JSON lines go. Default: stdout. */
  readonly destination?: DestinationStream;
}

// Probes and scrapes arrive every few seconds; logging each would drown the useful lines.
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * JSON logs (pino) with `service` on every line, the correlation id (Fastify's request id, see
 * `correlationIdOf`) as `req.id`, and `traceId`, `spanId`, `correlationId` on every line written
 * while handling a request or an event.
 */
export function serviceLoggerModule(options: ServiceLoggerOptions): DynamicModule {
  const pinoHttp: Options = {
    level: options.level,
    base: { service: options.service, pid: process.pid },
    // Trace and correlation ids of the request or event being handled on every line (the
    // request's own completion line gets its trace from the request, logged after the hop ends).
    mixin: () => activeTraceFields(),
    customProps: (request) => {
      const hop = (request as { [REQUEST_HOP]?: Hop })[REQUEST_HOP];
      return hop ? { traceId: hop.traceparent.slice(3, 35), spanId: hop.traceparent.slice(36, 52) } : {};
    },
    // Nest's Fastify middleware rewrites `url`; `originalUrl` keeps the requested path.
    autoLogging: { ignore: (request: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.test(request.originalUrl ?? request.url ?? '') },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
  return LoggerModule.forRoot({
    // nestjs-pino's default route `{/*splat}` is never matched by NestJS 12's Fastify adapter.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: options.destination ? [pinoHttp, options.destination] : pinoHttp,
  });
}
