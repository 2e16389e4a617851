import type { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * A sweep that runs every `intervalMs` from application start until shutdown, one at a time (the
 * next is scheduled when the last has finished; a failure is logged and the sweep runs again
 * next time). Shutdown waits for a running sweep. Subclasses say what one sweep does.
 */
export abstract class PeriodicSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  protected abstract readonly logger: Logger;
  /** What it sweeps, for the failure log line (`deadline sweep failed, retrying: …`). */
  protected abstract readonly what: string;
  /** Milliseconds between the end of one sweep and the start of the next. */
  protected abstract readonly intervalMs: number;
  /** One sweep; resolves with how many rows it handled. */
  abstract sweep(): Promise<number>;
  /** The log line for a sweep that handled `count` rows (none is logged for 0). */
  protected abstract describe(count: number): string;

  /** True once shutdown began: a sweep working in batches stops after the current one. */
  protected get stopping(): boolean {
    return this.stopped;
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((count) => {
          if (count > 0) this.logger.log(this.describe(count));
        })
        .catch((error: unknown) => this.logger.error(`${this.what} failed, retrying: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
