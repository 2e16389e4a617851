/**
 * Argument handling of the verbs, on the tools' command-line kit (tools/lib/cli.ts): the options
 * every verb accepts, and messages that point at `npm run platform -- <verb> --help`.
 */
import {
  formatToolHelp,
  HELP_OPTION,
  intOption,
  OperationError,
  parseIsoTime,
  parseToolArgs,
  stringOption,
  timeOption,
  UsageError,
  type OptionSpec,
  type OptionSpecs,
  type ParsedValues,
} from '../lib/cli.js';

export { intOption, OperationError, parseIsoTime, stringOption, timeOption, UsageError, type OptionSpec, type OptionSpecs, type ParsedValues };

/** Options every verb accepts. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'machine-readable output (JSON; one object per line for tail)' },
  ...HELP_OPTION,
};

const seeHelp = (command: string) => `see: npm run platform -- ${command} --help`;

/**
 * Parse `argv` strictly against `options` (+ the common ones). Unknown options, missing values and
 * a value given to a boolean flag are {@link UsageError}s naming the option.
 */
export function parseVerbArgs(command: string, argv: readonly string[], options: OptionSpecs): { values: ParsedValues; positionals: string[] } {
  return parseToolArgs(command, argv, { ...options, ...COMMON_OPTIONS }, { hint: seeHelp(command) });
}

/** The verb's positionals, exactly `names.length` of them (`optional` may be left out). */
export function takePositionals(command: string, positionals: readonly string[], names: readonly string[], optional = 0): string[] {
  const required = names.length - optional;
  if (positionals.length < required) throw new UsageError(`${command}: missing <${names[positionals.length]}>`, [seeHelp(command)]);
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument "${positionals[names.length]}"`, [seeHelp(command)]);
  return [...positionals];
}

export function requiredString(command: string, values: ParsedValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`${command}: --${name} is required`, [seeHelp(command)]);
  return value;
}

/** The help text of a verb: usage, summary, options. */
export function formatHelp(usage: string, summary: string, options: OptionSpecs, notes: readonly string[] = []): string {
  return formatToolHelp(`npm run platform -- ${usage}`, summary, { ...options, ...COMMON_OPTIONS }, notes);
}
