// The process supervisor of `npm start` (tools/start.ts) and of the e2e harness's ServiceProcess
// (e2e/harness/platform.ts): spawn a process with its environment (in a process group of its own
// unless told otherwise), its output prefixed line by line onto a stream or appended to a log file,
// wait until it answers an HTTP readiness probe, signal it, stop it (SIGTERM, then SIGKILL after a
// grace period), and learn when and how it exited (and how long it had run by then).
// It lives here, not in tools/, because the e2e project may not import files outside Nx projects
// by path (module boundaries), while tools/ (no project) already imports the harness.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Where a process's stdout and stderr go. */
export type ProcessOutput =
  /** Each line as `<prefix> <line>` onto `stdout` / `stderr` (default: this process's). */
  | { readonly prefix: string; readonly stdout?: Writable; readonly stderr?: Writable }
  /** Both appended, as they come, to `file` (closed once the process and its output have ended). */
  | { readonly file: string }
  | 'ignore';

export interface ProcessSpec {
  /** The name used in messages. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** The whole environment of the process (not merged with this one's). */
  readonly env: NodeJS.ProcessEnv;
  readonly output: ProcessOutput;
  /**
   * A process group of its own (default): a terminal's Ctrl-C then reaches only this process, which
   * stops the others in order, and signals go to the whole group (its children too). `false`: the
   * caller's group, signals to the process alone.
   */
  readonly ownGroup?: boolean;
}

export interface ExitStatus {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** How long the process had run. */
  readonly uptimeMs: number;
  /** Set when the command could not be run at all (e.g. ENOENT). */
  readonly error?: Error;
}

/** `SIGTERM` or `code 1`: how a process ended, for messages. */
export function describeExit(status: Pick<ExitStatus, 'code' | 'signal' | 'error'>): string {
  if (status.error) return `cannot run: ${status.error.message}`;
  return status.signal ?? `code ${status.code}`;
}

export interface ReadinessOptions {
  /** Polled with GET until it answers 2xx (or `status` when given). */
  readonly url: string;
  readonly timeoutMs: number;
  /** Pause between two probes (default 100 ms). */
  readonly intervalMs?: number;
  /** How long one probe may take (default: no limit of its own). */
  readonly requestTimeoutMs?: number;
  /** The one status that counts as ready (default: any 2xx). */
  readonly status?: number;
  /** Stop waiting (the result is then `aborted`). */
  readonly signal?: AbortSignal;
}

export type Readiness = 'ready' | 'exited' | 'timeout' | 'aborted';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One supervised process: {@link ManagedProcess.spawn} a new one, or {@link ManagedProcess.adopt} a spawned one. */
export class ManagedProcess {
  readonly startedAt = Date.now();
  /** Resolves once the process has exited and its output is written (never rejects). */
  readonly exited: Promise<ExitStatus>;
  private status?: ExitStatus;
  private readonly listeners: Array<(status: ExitStatus) => void> = [];

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly ownGroup: boolean,
    finishOutput: () => Promise<void> = async () => undefined,
  ) {
    this.exited = new Promise((resolve) => {
      const settle = (exit: Pick<ExitStatus, 'code' | 'signal' | 'error'>) => {
        this.status = { ...exit, uptimeMs: Date.now() - this.startedAt };
        for (const listener of this.listeners.splice(0)) listener(this.status);
        resolve(this.status);
      };
      // Adopted after it exited: its 'close' may be gone already.
      if (child.exitCode !== null || child.signalCode !== null) {
        setImmediate(() => settle({ code: child.exitCode, signal: child.signalCode }));
        return;
      }
      let exit: Pick<ExitStatus, 'code' | 'signal' | 'error'> | undefined;
      child.once('exit', (code, signal) => (exit = { code, signal }));
      // 'error' without 'exit' (the command cannot be run) is followed by 'close'.
      child.once('error', (error) => (exit ??= { code: null, signal: null, error }));
      // 'close': the process has exited and its stdout/stderr have ended.
      child.once('close', (code, signal) => {
        void finishOutput().then(() => settle(exit ?? { code, signal }));
      });
    });
  }

  static spawn(spec: ProcessSpec): ManagedProcess {
    const ownGroup = spec.ownGroup ?? true;
    const child = spawn(spec.command, [...(spec.args ?? [])], {
      cwd: spec.cwd,
      env: spec.env,
      detached: ownGroup,
      stdio: ['ignore', spec.output === 'ignore' ? 'ignore' : 'pipe', spec.output === 'ignore' ? 'ignore' : 'pipe'],
    });
    return new ManagedProcess(spec.name, child, ownGroup, routeOutput(child, spec.output));
  }

  /** Supervise a process spawned elsewhere (e.g. tools/nats-local.ts's nats-server); its uptime counts from here. */
  static adopt(name: string, child: ChildProcess, options: { readonly ownGroup: boolean }): ManagedProcess {
    return new ManagedProcess(name, child, options.ownGroup);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True from the spawn until the process has exited. */
  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How it exited, once it has (and its output is written). */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Called once when the process has exited (at once if it already has). */
  onExit(listener: (status: ExitStatus) => void): void {
    if (this.status) listener(this.status);
    else this.listeners.push(listener);
  }

  /** Send `signal` to the process's group (or to the process when it shares ours); ignored once it is gone. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(this.ownGroup ? -this.child.pid : this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM (or `signal`), SIGKILL if still running after `graceMs`; resolves once it has exited. */
  async stop(options: { readonly graceMs: number; readonly signal?: NodeJS.Signals }): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    const timer = setTimeout(() => this.signal('SIGKILL'), options.graceMs);
    this.signal(options.signal ?? 'SIGTERM');
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: dies mid-flight, without draining; resolves once it has exited. */
  kill(): Promise<ExitStatus> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** Poll `options.url` until it answers as ready, the process exits, time runs out, or `options.signal` aborts. */
  async waitUntilReady(options: ReadinessOptions): Promise<Readiness> {
    const deadline = Date.now() + options.timeoutMs;
    const isReady = (status: number) => (options.status === undefined ? status >= 200 && status < 300 : status === options.status);
    for (;;) {
      if (options.signal?.aborted) return 'aborted';
      if (!this.running) return 'exited';
      const signal = options.requestTimeoutMs === undefined ? options.signal : AbortSignal.any([AbortSignal.timeout(options.requestTimeoutMs), ...(options.signal ? [options.signal] : [])]);
      const ready = await fetch(options.url, { signal }).then(
        (response) => isReady(response.status),
        () => false,
      );
      if (ready) return 'ready';
      if (Date.now() > deadline) return 'timeout';
      await sleep(options.intervalMs ?? 100);
    }
  }
}

/** Wire the child's output as `output` says; returns what to await before calling the process gone. */
function routeOutput(child: ChildProcess, output: ProcessOutput): () => Promise<void> {
  if (output === 'ignore') return async () => undefined;
  if ('file' in output) {
    const log = createWriteStream(output.file, { flags: 'a' });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    return () => new Promise<void>((resolve) => log.end(resolve));
  }
  const lines = [prefixLines(child.stdout!, output.prefix, output.stdout ?? process.stdout), prefixLines(child.stderr!, output.prefix, output.stderr ?? process.stderr)];
  return async () => {
    await Promise.all(lines);
  };
}

/** Copy `input` to `out` line by line as `<prefix> <line>`; resolves when `input` has ended. */
function prefixLines(input: Readable, prefix: string, out: Writable): Promise<void> {
  return new Promise((resolve) => {
    createInterface({ input, crlfDelay: Infinity })
      .on('line', (line) => out.write(`${prefix} ${line}\n`))
      .once('close', () => resolve());
  });
}
