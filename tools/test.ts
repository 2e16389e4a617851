// `npm test`: type-check and build every project, lint, check generated contract documents, run
// every vitest suite (unit and integration, against the real NATS and PostgreSQL), and end with
// one line: `Tests: N passed, N failed[, N skipped]`. A failed check counts as a failed test; the
// exit code is 1 when anything failed (2 for a bad argument: it takes none but -h/--help).
// package.json runs it with tsx's loader (`node --import tsx tools/test.ts`); the document checks
// run as their npm scripts do (tools/asyncapi.ts; tools/openapi.ts on `tsx/esm`, see its header).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatToolHelp, HELP_OPTION, parseToolArgs, runTool } from './lib/cli.js';
import { REPO_ROOT } from './lib/env.js';

const PROGRAM = 'test';
const root = REPO_ROOT;

const HELP = formatToolHelp(
  'npm test',
  [
    'Type-checks and builds every project, lints (module boundaries included), checks the generated',
    'contract documents, runs every vitest suite (unit and integration: NATS and PostgreSQL must run)',
    'and ends with one line: Tests: N passed, N failed[, N skipped]. A failed check counts as a failed test.',
  ].join('\n'),
  HELP_OPTION,
  ['exit codes: 0 everything passed, 1 a check or test failed, 2 bad argument'],
);

/** The parts of vitest's JSON report (`--reporter=json`) counted here. */
interface VitestReport {
  success?: boolean;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: Array<{ name: string; status: string; message?: string; assertionResults?: Array<{ status: string }> }>;
}

const results = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

function run(label: string, command: string, args: readonly string[]): boolean {
  const started = Date.now();
  console.log(`\n▶ ${label}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  const ok = result.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

function check(label: string, command: string, args: readonly string[]): void {
  if (run(label, command, args)) results.passed++;
  else {
    results.failed++;
    failures.push(label);
  }
}

const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

/** The vitest report's counts added to the results: a suite that failed to load, or a failure without a failed test, counts as one failed. */
function countVitest(report: string): void {
  if (!existsSync(report)) {
    results.failed++;
    failures.push('vitest produced no report');
    return;
  }
  let json: VitestReport;
  try {
    json = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  } catch (error) {
    results.failed++;
    failures.push(`vitest report unreadable: ${(error as Error).message}`);
    return;
  }
  results.passed += json.numPassedTests ?? 0;
  results.failed += json.numFailedTests ?? 0;
  results.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  // a suite that failed to load has no failed tests of its own: count it
  const brokenSuites = (json.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed'));
  for (const suite of brokenSuites) {
    results.failed++;
    failures.push(`suite ${suite.name.replace(root, '')}: ${String(suite.message ?? '').split('\n')[0]}`);
  }
  if (!json.success && json.numFailedTests === 0 && brokenSuites.length === 0) {
    results.failed++;
    failures.push('vitest reported failure');
  }
}

async function main(argv: readonly string[]): Promise<number> {
  parseToolArgs(PROGRAM, argv, HELP_OPTION, { positionals: false, hint: 'see: npm test -- --help', help: HELP });
  const projectDirs = [
    ...['libs', 'apps'].flatMap((group) => (existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(group, name)) : [])),
    'e2e',
  ];

  check('build (tsc -b, all projects)', bin('tsc'), ['-b', 'tsconfig.json']);
  for (const dir of projectDirs) {
    if (existsSync(join(root, dir, 'tsconfig.spec.json'))) check(`type-check specs of ${dir}`, bin('tsc'), ['-p', join(dir, 'tsconfig.spec.json')]);
  }
  check('type-check tools (benchmarks, specs)', bin('tsc'), ['-p', 'tools/tsconfig.json']);
  if (existsSync(join(root, 'eslint.config.mjs'))) check('lint (eslint, module boundaries)', bin('eslint'), ['.', '--max-warnings=0']);
  check('contract documents up to date (asyncapi --check)', process.execPath, ['--import', 'tsx', 'tools/asyncapi.ts', '--check']);
  check('HTTP contract documents up to date (openapi --check)', process.execPath, ['--import', 'tsx/esm', 'tools/openapi.ts', '--check']);

  const report = join(root, '.vitest-results.json');
  rmSync(report, { force: true });
  run('vitest (unit + integration)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  countVitest(report);

  if (failures.length > 0) console.log(`\nFailed checks:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  console.log(`\nTests: ${results.passed} passed, ${results.failed} failed${results.skipped ? `, ${results.skipped} skipped` : ''}`);
  return results.failed > 0 ? 1 : 0;
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
