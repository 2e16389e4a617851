import { Module, type DynamicModule } from '@nestjs/common';
import type { Database, EventsRuntime } from '@platform/events';
import { ConsumerControl, EventOutbox, EventStreams } from './events/event-outbox.js';
import { DATABASE, EVENTS_RUNTIME } from './tokens.js';

export interface ServiceResources {
  readonly db: Database;
  readonly runtime: EventsRuntime;
}

/**
 * The service's storage and events runtime, opened before the app is created and closed after it;
 * global so that business providers inject the database with `@Inject(DATABASE)`, and emit and
 * steer consumers through the `EventOutbox` and `ConsumerControl` ports, and re-read streams through
 * `EventStreams` (not the runtime itself).
 */
@Module({})
export class ServiceResourcesModule {
  static forRoot(resources: ServiceResources): DynamicModule {
    return {
      module: ServiceResourcesModule,
      global: true,
      providers: [
        { provide: DATABASE, useValue: resources.db },
        { provide: EVENTS_RUNTIME, useValue: resources.runtime },
        EventOutbox,
        ConsumerControl,
        EventStreams,
      ],
      exports: [DATABASE, EVENTS_RUNTIME, EventOutbox, ConsumerControl, EventStreams],
    };
  }
}
