/**
 * The chaos suite's CI short mode (docs/chaos.md), run as `npm run chaos` runs it (the CLI in
 * tools/chaos, as a process): on PostgreSQL and then on PGlite, the six services and nats-server
 * as processes, orders with Idempotency-Keys under SIGKILL of each service and of nats-server,
 * SIGSTOP past the ack wait and (PostgreSQL) backends terminated and connections refused; then
 * every invariant through the HTTP API. The CLI must exit 0 and its JSON report name no broken
 * invariant (the failure message shows the broken ones and the run's progress).
 *
 * The two passes overlap to keep the file short: the PGlite pass starts first (six PGlite
 * services booting is most of its time, and CPU-bound), the PostgreSQL pass once PGlite's
 * platform is up. Each has its own nats-server, databases, ports and tenant.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVICES } from './harness/platform.js';

const root = new URL('../', import.meta.url).pathname;
/** One pass: platform start, the short window with its faults, the drain and the checks, on a loaded 2-core machine. */
const PASS_TIMEOUT_MS = 170_000;

interface PassJson {
  storage: string;
  keys: number;
  ok: boolean;
  faults: Array<{ kind: string; target: string; error?: string }>;
  skippedFaults: string[];
  orders: { accepted: number };
  invariants: Array<{ name: string; ok: boolean; failures: string[] }>;
}

function chaos(args: readonly string[], onProgress: (stderr: string) => void = () => undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}node_modules/tsx/dist/cli.mjs`, '--tsconfig', 'tsconfig.base.json', 'tools/chaos/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onProgress(stderr);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once the PGlite pass has its platform up (it prints "placing … orders"), or has ended. */
let pgliteUp!: () => void;
const pgliteStarted = new Promise<void>((resolve) => (pgliteUp = resolve));

describe.concurrent('chaos, short mode (every fault, every invariant)', () => {
  it.each(['pglite', 'postgres'])(
    'on %s: exits 0, no invariant broken',
    async (storage) => {
      const seed = process.env['CHAOS_SEED'] ?? '20240601';
      if (storage === 'postgres') await pgliteStarted;
      const onProgress = storage === 'pglite' ? (stderr: string) => stderr.includes('] placing ') && pgliteUp() : undefined;
      const run = await chaos(['--short', '--storage', storage, '--seed', seed, '--json'], onProgress).finally(() => storage === 'pglite' && pgliteUp());
      let pass: PassJson | undefined;
      try {
        pass = (JSON.parse(run.stdout) as { passes: PassJson[] }).passes[0];
      } catch {
        // not a report: the failure below shows the output
      }
      const broken = pass?.invariants.filter((i) => !i.ok).map((i) => `${i.name}: ${i.failures.slice(0, 5).join('; ')}`);
      const context = `chaos --short --storage ${storage} --seed ${seed} exited ${run.code}\n${run.stderr.slice(-4000)}${pass ? '' : `\n${run.stdout.slice(-2000)}`}`;
      expect(broken, context).toEqual([]);
      expect(run.code, context).toBe(0);
      expect(pass!.faults.filter((fault) => fault.error)).toEqual([]);
      // Each service killed once (two at a time in the short mode), nats-server killed, one service paused.
      expect(pass!.faults.filter((fault) => fault.kind === 'kill').flatMap((fault) => fault.target.split('+')).sort()).toEqual([...SERVICES].sort());
      expect(pass!.faults.map((fault) => fault.kind)).toEqual(expect.arrayContaining(['nats', 'pause', ...(storage === 'postgres' ? ['db-terminate', 'db-refuse'] : [])]));
      expect(pass!.skippedFaults).toEqual(storage === 'pglite' ? ['db-terminate', 'db-refuse'] : []);
      expect(pass!.orders.accepted).toBe(pass!.keys);
    },
    PASS_TIMEOUT_MS,
  );
});
