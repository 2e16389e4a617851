import type { Provider } from '@nestjs/common';
import type { EventsRuntime } from '@platform/events';
import { EVENTS_RUNTIME } from '@platform/service-kit';
import { EVENT_STREAMS, type EventStreams } from '../../application/analytics-rebuild.js';

/**
 * The rebuild's `EventStreams`, taken from the service's events runtime: its JetStream client
 * (the service's own NATS connection and identity) and its registry. The one place analytics
 * reaches into the runtime: service-kit offers ports to emit and to pause consumers, none to
 * read a stream by sequence.
 */
export const eventStreamsProvider: Provider = {
  provide: EVENT_STREAMS,
  inject: [EVENTS_RUNTIME],
  useFactory: (runtime: EventsRuntime): EventStreams => ({ js: runtime.js, registry: runtime.registry }),
};
