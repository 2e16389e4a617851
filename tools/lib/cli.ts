/**
 * The command-line kit every tool shares (npm run platform, provision, outbox, token, k8s:secrets,
 * asyncapi, openapi, chaos): `node:util` parseArgs in strict mode with messages that name the
 * offending argument, the two failure classes that decide the exit code, option readers that
 * check their values, the help layout, and `runTool`, which turns a failure into its message and
 * exit code.
 *
 * Exit codes of every tool: 0 done; 1 an operation failed (NATS, database, server); 2 a bad or
 * missing argument or configuration (the message names it).
 */
import { parseArgs } from 'node:util';

/** A bad or missing argument, or bad configuration: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    /** Extra lines printed after the message (field errors, the usage line). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** NATS, database or server-side failure (unreachable, refused, not found): exit code 1. */
export class OperationError extends Error {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationError';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The option may be given more than once (its value is then a list). */
  readonly multiple?: boolean;
  /** Shown in help: `--limit <N>`. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Thrown by {@link parseToolArgs} when `-h` / `--help` is given to a tool that passed its help
 * text: {@link runTool} prints the text on stdout and exits 0.
 */
export class HelpRequested extends Error {
  constructor(readonly text: () => string | Promise<string>) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** The `-h, --help` option every tool accepts. */
export const HELP_OPTION: OptionSpecs = { help: { type: 'boolean', short: 'h', description: 'this help' } };

/**
 * Parse `argv` strictly against `options`. Unknown options, missing values and a value given to a
 * boolean flag are {@link UsageError}s naming the option (`<program>: unknown option --x`), followed
 * by `hint` (e.g. `see: npm run outbox -- --help`) when given. With `help` (the text, or what makes
 * it: it may load what it lists), a `--help` among the options is a {@link HelpRequested}.
 */
export function parseToolArgs(
  program: string,
  argv: readonly string[],
  options: OptionSpecs,
  { positionals = true, hint, help }: { positionals?: boolean; hint?: string; help?: string | (() => string | Promise<string>) } = {},
): { values: ParsedValues; positionals: string[] } {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError(`${program}: ${describeParseError(error as Error & { code?: string })}`, hint ? [hint] : []);
  }
  if (help !== undefined && parsed.values['help'] === true) throw new HelpRequested(typeof help === 'string' ? () => help : help);
  return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
}

function describeParseError(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1];
  // Node quotes an option with a short form as '-h, --help': name it by its long form
  const name = quoted && (/--[^\s,]+/.exec(quoted)?.[0] ?? quoted.split(/[\s,]/)[0]);
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `${name} needs a value` : `${name} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ? `"${quoted}"` : error.message}`;
    default:
      return error.message;
  }
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable option's values (empty when absent). */
export function listOption(values: ParsedValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function booleanOption(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}

/** An integer option within [min, max]; `undefined` when absent. */
export function intOption(program: string, values: ParsedValues, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${program}: --${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${raw}"`);
  }
  return Number(raw);
}

/** An RFC 3339 / ISO 8601 date-time (`2026-01-31T12:00:00Z`, or a date `2026-01-31`). */
export function parseIsoTime(raw: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) return undefined;
  const time = new Date(raw);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

export function timeOption(program: string, values: ParsedValues, name: string): Date | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const time = parseIsoTime(raw);
  if (!time) throw new UsageError(`${program}: --${name} must be an ISO time (2026-01-31T12:00:00Z), got "${raw}"`);
  return time;
}

/** The options block of a help text: `  -h, --help  this help`, aligned. */
export function formatOptions(options: OptionSpecs): string[] {
  const left = Object.entries(options).map(([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` <${spec.value}>` : ''}`);
  const width = Math.max(...left.map((l) => l.length));
  return Object.values(options).map((spec, i) => `  ${left[i]!.padEnd(width)}  ${spec.description}`);
}

/** A help text: usage line, summary, options, notes. */
export function formatToolHelp(usage: string, summary: string, options: OptionSpecs, notes: readonly string[] = []): string {
  return [`usage: ${usage}`, '', summary, '', 'options:', ...formatOptions(options), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

async function flush(stream: NodeJS.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.write('', () => resolve()));
}

/**
 * Run a tool's `main` and exit with its code: 0 (or what it returns); {@link HelpRequested} prints
 * the help and exits 0; a {@link UsageError} prints its message and details and exits 2; any other
 * failure prints `<program>: <message>` (the stack too with DEBUG set) and exits 1. Output is
 * flushed before the exit.
 */
export async function runTool(program: string, main: () => Promise<number | void>): Promise<never> {
  let code: number;
  try {
    code = (await main()) ?? 0;
  } catch (error) {
    code = error instanceof HelpRequested ? await printHelp(program, error) : failed(program, error);
  }
  await flush(process.stdout);
  await flush(process.stderr);
  process.exit(code);
}

/** Print the help on stdout: 0, or the failure's code when making the text fails (e.g. the libraries not built). */
async function printHelp(program: string, help: HelpRequested): Promise<number> {
  try {
    console.log(await help.text());
    return 0;
  } catch (error) {
    return failed(program, error);
  }
}

/** Print a failure as {@link runTool} does; its exit code. */
function failed(program: string, error: unknown): number {
  const message = (error as Error)?.message ?? String(error);
  console.error(message.startsWith(`${program}:`) || message.startsWith(`${program} `) ? message : `${program}: ${message}`);
  if (error instanceof UsageError) {
    for (const line of error.details) console.error(line);
    return 2;
  }
  if (process.env['DEBUG'] && (error as Error)?.stack) console.error((error as Error).stack);
  return 1;
}
