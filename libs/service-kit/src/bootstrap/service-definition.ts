import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Database, EventsRuntime, Migration } from '@platform/events';
import type { BaseServiceConfig } from '../config/base-service.config.js';
import type { ModuleEntry } from '../http/create-http-app.js';

/** What a service is started with, and what `onReady` and tests get back. */
export interface ServiceContext<C extends BaseServiceConfig = BaseServiceConfig> {
  readonly name: string;
  readonly app: NestFastifyApplication;
  readonly config: Readonly<C>;
  readonly db: Database;
  readonly runtime: EventsRuntime;
}

/** One service of the platform: its name, root module and config class. */
export interface ServiceDefinition<C extends BaseServiceConfig = BaseServiceConfig> {
  /** Lower-case service name: log `service`, metrics label, event `source`, consumer owner. */
  readonly name: string;
  /** The service's root NestJS module (its business modules). */
  readonly module: ModuleEntry;
  readonly configClass: new () => C;
  /**
   * The service's own tables, applied with `migrate(db, name, migrations)` at every start before
   * the app is created (the library's tables are applied by the events runtime).
   */
  readonly migrations?: readonly Migration[];
  /**
   * True when the service handles events: its durable consumers from the platform topology are
   * bound to the app's `@HandleEvent` handlers and pulled once the app starts; readiness waits for
   * them. Retries use `EVENT_RETRY_INITIAL_MS` / `EVENT_RETRY_MAX_MS` from the config.
   */
  readonly consumesEvents?: boolean;
  /**
   * Called once storage, the events runtime and the app exist, before the HTTP server accepts
   * requests: run the service's own migrations, attach the event transport
   * (`runtime.connectTransport(app)` + `app.startAllMicroservices()`). A throw aborts the start.
   */
  readonly onReady?: (context: ServiceContext<C>) => void | Promise<void>;
}
