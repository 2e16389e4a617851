import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { EventErrorPassthroughFilter } from './event-error-passthrough.filter.js';
import { ServerJetStream, type JetStreamServerOptions } from './server-jetstream.js';

/**
 * Attach the JetStream transport to a NestJS HTTP app (a hybrid app), with its own config (HTTP
 * filters and pipes do not apply to events) and the error passthrough filter. Call
 * `app.startAllMicroservices()` afterwards.
 */
export function connectJetStream(
  app: INestApplication,
  options: JetStreamServerOptions,
): { server: ServerJetStream; microservice: INestMicroservice } {
  const server = new ServerJetStream(options);
  const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
  microservice.useGlobalFilters(new EventErrorPassthroughFilter());
  return { server, microservice };
}
