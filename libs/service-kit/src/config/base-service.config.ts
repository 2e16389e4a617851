import 'reflect-metadata';
import { HttpConfig } from './http.config.js';

export { defaultDataDir } from './database.config.js';
export { AtLeastKey } from './key.validators.js';
export { LogLevel } from './observability.config.js';

/**
 * Settings every service reads from its environment. Each app subclasses it to set its own
 * `PORT` and `DATA_DIR` defaults and to add its own keys; load it with `loadConfig()`.
 * Defaults are the property initialisers; an empty environment value counts as unset.
 *
 * The keys are declared by concern, one class each, chained: ListenConfig ← NatsConfig ←
 * DatabaseConfig ← ObservabilityConfig ← EventsConfig ← HttpConfig. class-validator checks a
 * class's own keys first, then its ancestors' from the root down, and loadConfig names the first
 * bad key: so the chain's order is the order bad keys are reported in (an app's keys, then PORT
 * … HTTP_KEEP_ALIVE_TIMEOUT_MS). This class declares no key itself: its own keys would come
 * first when it is loaded alone but after its ancestors' in an app.
 */
export class BaseServiceConfig extends HttpConfig {}
