/** The logging surface the library needs; pino and NestJS loggers both fit behind it. */
export interface EventsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** Whether lines of `level` are written (pino has it): per-event debug lines are skipped when not. */
  isLevelEnabled?(level: string): boolean;
}

export const silentLogger: EventsLogger = { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false };

export function errorFields(error: unknown): { err: { name: string; message: string; code?: string } } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { err: { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) } };
  }
  return { err: { name: 'Error', message: String(error) } };
}
