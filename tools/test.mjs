#!/usr/bin/env node
// `npm test`: type-check and build every project, lint, check generated contract documents, run
// every vitest suite (unit and integration, against the real NATS and PostgreSQL), and end with
// one line: `Tests: N passed, N failed[, N skipped]`. A failed check counts as a failed test.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const results = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, command, args, options = {}) {
  const started = Date.now();
  console.log(`\n▶ ${label}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' }, ...options });
  const ok = result.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

function check(label, command, args) {
  if (run(label, command, args)) results.passed++;
  else {
    results.failed++;
    failures.push(label);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
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
check('contract documents up to date (asyncapi --check)', process.execPath, ['tools/asyncapi.mjs', '--check']);
check('HTTP contract documents up to date (openapi --check)', process.execPath, ['tools/openapi.mjs', '--check']);

const report = join(root, '.vitest-results.json');
rmSync(report, { force: true });
run('vitest (unit + integration)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
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
} else {
  results.failed++;
  failures.push('vitest produced no report');
}

if (failures.length > 0) console.log(`\nFailed checks:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
console.log(`\nTests: ${results.passed} passed, ${results.failed} failed${results.skipped ? `, ${results.skipped} skipped` : ''}`);
process.exit(results.failed > 0 ? 1 : 0);
