import type { IncomingMessage } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import type { Hop } from '@platform/events';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Options } from 'pino-http';
import { REQUEST_HOP } from '../http/trace-context.hook.js';
import { createServiceLogger, type ServiceLoggerOptions } from './service-logger.js';

export type { ServiceLoggerOptions } from './service-logger.js';

// Probes and scrapes arrive every few seconds; logging each would drown the useful lines.
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * Nest's logger and the HTTP request logs (nestjs-pino) on the process's root logger
 * ({@link createServiceLogger}; a new one from `options` when none is given): the correlation id
 * (Fastify's request id, see `correlationIdOf`) as `req.id`, and the request's trace on its
 * completion line.
 */
export function serviceLoggerModule(options: ServiceLoggerOptions & { readonly logger?: Logger }): DynamicModule {
  const pinoHttp: Options = {
    logger: options.logger ?? createServiceLogger(options),
    // The request's own completion line gets its trace from the request (logged after the hop ends).
    customProps: (request) => {
      const hop = (request as { [REQUEST_HOP]?: Hop })[REQUEST_HOP];
      return hop ? { traceId: hop.traceparent.slice(3, 35), spanId: hop.traceparent.slice(36, 52) } : {};
    },
    // Nest's Fastify middleware rewrites `url`; `originalUrl` keeps the requested path.
    autoLogging: { ignore: (request: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.test(request.originalUrl ?? request.url ?? '') },
  };
  return LoggerModule.forRoot({
    // nestjs-pino's default route `{/*splat}` is never matched by NestJS 12's Fastify adapter.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp,
  });
}
