import type { NatsHandle } from './connection.js';
import type { OptionSpecs } from './args.js';

/** What a verb gets to run. */
export interface VerbContext {
  /** The arguments after the verb. */
  readonly argv: readonly string[];
  /** Connects on first use (the settings of connection.ts); the CLI closes it. */
  nats(): Promise<NatsHandle>;
  /** Writes a line to stdout. */
  print(line: string): void;
  /** Writes a line to stderr (progress, not output). */
  note(line: string): void;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
}

export interface Verb {
  readonly name: string;
  /** One line for the global help. */
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpecs;
  readonly notes?: readonly string[];
  /** Resolves with the exit code (0 unless said otherwise); throws UsageError / OperationError. */
  run(context: VerbContext): Promise<number | void>;
}
