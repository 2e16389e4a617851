/**
 * Argument handling shared by every verb: `node:util` parseArgs in strict mode, with messages that
 * name the offending argument, and the two failure classes that decide the exit code.
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

/** NATS or server-side failure (unreachable, refused, not found): exit code 1. */
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
  /** Shown in help: `--limit <N>`. */
  readonly value?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedValues = Record<string, string | boolean | undefined>;

/** Options every verb accepts. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'machine-readable output (JSON; one object per line for tail)' },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};

/**
 * Parse `argv` strictly against `options` (+ the common ones). Unknown options, missing values and
 * a value given to a boolean flag are {@link UsageError}s naming the option.
 */
export function parseVerbArgs(command: string, argv: readonly string[], options: OptionSpecs): { values: ParsedValues; positionals: string[] } {
  const all = { ...options, ...COMMON_OPTIONS };
  const config = Object.fromEntries(Object.entries(all).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]));
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true });
    return { values: values as ParsedValues, positionals };
  } catch (error) {
    throw new UsageError(`${command}: ${describeParseError(error as Error & { code?: string })}`, [`see: npm run platform -- ${command} --help`]);
  }
}

function describeParseError(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1];
  const name = quoted?.split(' ')[0];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `${name} needs a value` : `${name} takes no value`;
    default:
      return error.message;
  }
}

/** The verb's positionals, exactly `names.length` of them (`optional` may be left out). */
export function takePositionals(command: string, positionals: readonly string[], names: readonly string[], optional = 0): string[] {
  const required = names.length - optional;
  if (positionals.length < required) throw new UsageError(`${command}: missing <${names[positionals.length]}>`, [`see: npm run platform -- ${command} --help`]);
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument "${positionals[names.length]}"`, [`see: npm run platform -- ${command} --help`]);
  return [...positionals];
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(command: string, values: ParsedValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`${command}: --${name} is required`, [`see: npm run platform -- ${command} --help`]);
  return value;
}

/** An integer option within [min, max]; `undefined` when absent. */
export function intOption(command: string, values: ParsedValues, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${command}: --${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${raw}"`);
  }
  return Number(raw);
}

/** An RFC 3339 / ISO 8601 date-time (`2026-01-31T12:00:00Z`, or a date `2026-01-31`). */
export function parseIsoTime(raw: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) return undefined;
  const time = new Date(raw);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

export function timeOption(command: string, values: ParsedValues, name: string): Date | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const time = parseIsoTime(raw);
  if (!time) throw new UsageError(`${command}: --${name} must be an ISO time (2026-01-31T12:00:00Z), got "${raw}"`);
  return time;
}

/** The help text of a verb: usage, summary, options. */
export function formatHelp(usage: string, summary: string, options: OptionSpecs, notes: readonly string[] = []): string {
  const all = { ...options, ...COMMON_OPTIONS };
  const left = Object.entries(all).map(([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` <${spec.value}>` : ''}`);
  const width = Math.max(...left.map((l) => l.length));
  const lines = Object.values(all).map((spec, i) => `  ${left[i]!.padEnd(width)}  ${spec.description}`);
  return [`usage: npm run platform -- ${usage}`, '', summary, '', 'options:', ...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
