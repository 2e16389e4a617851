import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { ServerJetStream, type JetStreamServerOptions } from './server-jetstream.js';

/**
 * Attach the JetStream transport to a NestJS HTTP app (a hybrid app), with its own config (HTTP
 * filters and pipes do not apply to events). The error passthrough filter is bound to each
 * handler by `@HandleEvent`/`@HandleEventBatch`: a global filter added here would come after
 * NestJS made the handlers' exception context (it only warns "Cannot apply global exception
 * filters"). Call `app.startAllMicroservices()` afterwards.
 */
export function connectJetStream(
  app: INestApplication,
  options: JetStreamServerOptions,
): { server: ServerJetStream; microservice: INestMicroservice } {
  const server = new ServerJetStream(options);
  const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
  return { server, microservice };
}
