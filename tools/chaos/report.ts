/** The chaos report as text: per storage the run, its faults, the client's retries, the invariants. */
import { duration, table } from '../platform/output.js';
import { skippedLines } from './faults.js';
import type { ChaosPassReport, ChaosReport } from './runner.js';

/** Failures shown per broken invariant (the JSON report has all of them). */
const SHOWN_FAILURES = 5;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `postgres`, or `postgres, 3-node cluster`. */
export const passName = (pass: Pick<ChaosPassReport, 'storage' | 'cluster'>) => `${pass.storage}${pass.cluster ? ', 3-node cluster' : ''}`;

export function formatPass(pass: ChaosPassReport): string {
  const lines: string[] = [];
  const { driver, orders, timings } = pass;
  lines.push(`=== chaos on ${passName(pass)}: ${pass.ok ? 'every invariant holds' : 'BROKEN INVARIANTS'}`);
  lines.push(
    `seed ${pass.seed}, tenant ${pass.tenant}, ${pass.keys} keys at ${pass.rate}/s over ${pass.seconds} s, ack wait ${pass.ackWaitMs} ms; ` +
      `took ${duration(timings.totalMs)} (start ${seconds(timings.startMs)}, orders+faults ${seconds(timings.ordersMs)}, all terminal ${seconds(timings.terminalMs)}, settle ${seconds(timings.settleMs)}, checks ${seconds(timings.checkMs)})`,
  );
  lines.push('');
  lines.push('faults');
  lines.push(
    table(pass.faults, [
      { header: 'at', value: (f) => seconds(f.startedMs), align: 'right' },
      { header: 'fault', value: (f) => f.kind },
      { header: 'target', value: (f) => f.target },
      { header: 'took', value: (f) => seconds(f.tookMs), align: 'right' },
      { header: 'what happened', value: (f) => f.error ?? f.detail },
    ]),
  );
  const skipped = skippedLines(pass.skippedFaults, pass);
  lines.push(...skipped);
  const kept = Object.entries(pass.batchesKeptForDatabase);
  lines.push(`batches kept while the database was unavailable (not retried, not dead-lettered): ${kept.length === 0 ? 'none' : kept.map(([service, n]) => `${service} ${n}`).join(', ')}`);
  lines.push('');
  const reasons = Object.entries(driver.retryReasons)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  lines.push(`client: ${driver.posts} POSTs for ${pass.keys} keys, ${driver.retries} retries (${reasons || 'none'}), ${driver.replayed} answered Idempotent-Replayed`);
  const cancelledBy = Object.entries(orders.cancellationReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  lines.push(`orders: ${orders.accepted} accepted, ${orders.confirmed} confirmed, ${orders.cancelled} cancelled${cancelledBy ? ` (${cancelledBy})` : ''}, ${orders.pending} pending`);
  lines.push('');
  lines.push(
    table(pass.invariants, [
      { header: 'invariant', value: (i) => i.name },
      { header: 'checked', value: (i) => i.checked, align: 'right' },
      { header: 'result', value: (i) => (i.ok ? 'ok' : `BROKEN (${i.failures.length})`) },
    ]),
  );
  for (const invariant of pass.invariants.filter((i) => !i.ok)) {
    lines.push(`broken: ${invariant.name}`);
    for (const failure of invariant.failures.slice(0, SHOWN_FAILURES)) lines.push(`  - ${failure}`);
    if (invariant.failures.length > SHOWN_FAILURES) lines.push(`  … and ${invariant.failures.length - SHOWN_FAILURES} more (--json for all)`);
  }
  for (const note of pass.notes) if (!skipped.includes(note)) lines.push(`note: ${note}`);
  if (pass.logsDir) lines.push(`the services' logs: ${pass.logsDir}`);
  return lines.join('\n');
}

export function formatReport(report: ChaosReport): string {
  const summary = report.passes.map((pass) => `${pass.storage}${pass.cluster ? ' on the cluster' : ''} ${pass.ok ? 'ok' : 'BROKEN'}`).join(', ');
  return [...report.passes.map(formatPass), '', `chaos: ${report.ok ? 'every invariant holds' : 'BROKEN INVARIANTS'} (${summary}) in ${duration(report.totalMs)}, seed ${report.seed}`].join('\n\n').replace(/\n\n\n/g, '\n\n');
}

/** Every broken invariant of the report, one line each (for a test's failure message). */
export function brokenInvariants(report: ChaosReport): string[] {
  return report.passes.flatMap((pass) =>
    pass.invariants.filter((i) => !i.ok).map((i) => `[${passName(pass)}] ${i.name}: ${i.failures.slice(0, SHOWN_FAILURES).join('; ')}${i.failures.length > SHOWN_FAILURES ? ` (+${i.failures.length - SHOWN_FAILURES})` : ''}`),
  );
}

/** The CLI's exit code for a finished run: 0 when every invariant holds, 1 when one is broken. */
export function exitCodeOf(report: ChaosReport): 0 | 1 {
  return report.ok && report.passes.every((pass) => pass.invariants.every((invariant) => invariant.ok)) ? 0 : 1;
}
