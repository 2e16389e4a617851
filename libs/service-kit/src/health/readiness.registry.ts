import { Injectable } from '@nestjs/common';

/** A readiness check: true when the part it watches can serve. A throw counts as not ready. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly draining: boolean;
  /** Each registered check by name: true = ready. */
  readonly checks: Readonly<Record<string, boolean>>;
}

/** A check that has not answered within this many milliseconds counts as not ready. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

/**
 * The checks behind `/health/ready`. Parts of the service register themselves by name; once
 * `setDraining()` is called (shutdown began) the service reports not ready, whatever the checks say,
 * so that load balancers stop sending traffic while in-flight requests finish.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  /** Add or replace the check called `name`. */
  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  setDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async report(): Promise<ReadinessReport> {
    if (this.draining) return { ready: false, draining: true, checks: {} };
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await runCheck(check)] as const));
    return { ready: entries.every(([, ok]) => ok), draining: false, checks: Object.fromEntries(entries) };
  }
}

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_CHECK_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([Promise.resolve().then(check), timeout])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
