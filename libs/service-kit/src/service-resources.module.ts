import { Module, type DynamicModule } from '@nestjs/common';
import type { Database, EventsRuntime } from '@platform/events';
import { DATABASE, EVENTS_RUNTIME } from './tokens.js';

export interface ServiceResources {
  readonly db: Database;
  readonly runtime: EventsRuntime;
}

/**
 * The service's storage and events runtime, opened before the app is created and closed after it;
 * global so that business providers inject them with `@Inject(DATABASE)` / `@Inject(EVENTS_RUNTIME)`.
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
      ],
      exports: [DATABASE, EVENTS_RUNTIME],
    };
  }
}
