import { describe, expect, it } from 'vitest';
import { HelpRequested, HELP_OPTION, intOption, listOption, OperationError, parseIsoTime, parseToolArgs, timeOption, UsageError, formatToolHelp } from './cli.js';

const OPTIONS = { ...HELP_OPTION, out: { type: 'string', value: 'DIR', description: 'where' }, role: { type: 'string', multiple: true, description: 'a role' } } as const;

const usageMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('tools/lib/cli.ts: the tools’ command-line kit', () => {
  it('parses strictly, and names the offending argument in a UsageError (exit 2)', () => {
    expect(parseToolArgs('t', ['--out', 'x', '--role', 'a', '--role', 'b', 'pos'], OPTIONS)).toEqual({ values: { out: 'x', role: ['a', 'b'] }, positionals: ['pos'] });
    expect(usageMessage(() => parseToolArgs('t', ['--bogus'], OPTIONS))).toBe('t: unknown option --bogus');
    expect(usageMessage(() => parseToolArgs('t', ['--out'], OPTIONS))).toBe('t: --out needs a value');
    expect(usageMessage(() => parseToolArgs('t', ['--help=x'], OPTIONS))).toBe('t: --help takes no value');
    expect(usageMessage(() => parseToolArgs('t', ['pos'], OPTIONS, { positionals: false }))).toBe('t: unexpected argument "pos"');
    expect(new UsageError('x').exitCode).toBe(2);
    expect(new OperationError('x').exitCode).toBe(1);
  });

  it('asks for the help of a tool that passed its text, and parses on without one', async () => {
    let requested: unknown;
    try {
      parseToolArgs('t', ['--out', 'x', '-h'], OPTIONS, { help: 'usage: t' });
    } catch (error) {
      requested = error;
    }
    expect(requested).toBeInstanceOf(HelpRequested);
    expect(await (requested as HelpRequested).text()).toBe('usage: t');
    expect(parseToolArgs('t', ['-h'], OPTIONS).values).toEqual({ help: true });
    expect(parseToolArgs('t', [], OPTIONS, { help: 'usage: t' }).values).toEqual({});
  });

  it('reads integers, lists and ISO times, refusing what is not one', () => {
    expect(intOption('t', { n: '12' }, 'n', 1, 100)).toBe(12);
    expect(intOption('t', {}, 'n', 1)).toBeUndefined();
    expect(usageMessage(() => intOption('t', { n: '0' }, 'n', 1, 100))).toBe('t: --n must be an integer from 1 to 100, got "0"');
    expect(usageMessage(() => intOption('t', { n: '1.5' }, 'n', 1))).toBe('t: --n must be an integer from 1, got "1.5"');
    expect(listOption({ r: ['a'] }, 'r')).toEqual(['a']);
    expect(listOption({}, 'r')).toEqual([]);
    expect(parseIsoTime('2026-01-31T12:00:00Z')?.toISOString()).toBe('2026-01-31T12:00:00.000Z');
    expect(parseIsoTime('yesterday')).toBeUndefined();
    expect(usageMessage(() => timeOption('t', { from: '31/01/2026' }, 'from'))).toBe('t: --from must be an ISO time (2026-01-31T12:00:00Z), got "31/01/2026"');
  });

  it('lays out a help text: usage, summary, aligned options, notes', () => {
    expect(formatToolHelp('npm run t -- [--out DIR]', 'Does t.', OPTIONS, ['exit codes: 0, 1, 2']).split('\n')).toEqual([
      'usage: npm run t -- [--out DIR]',
      '',
      'Does t.',
      '',
      'options:',
      '  -h, --help   this help',
      '  --out <DIR>  where',
      '  --role       a role',
      '',
      'exit codes: 0, 1, 2',
    ]);
  });
});
