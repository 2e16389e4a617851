/**
 * The chaos suite's CI short mode (docs/chaos.md), run as `npm run chaos` runs it (the CLI in
 * tools/chaos, as a process): on PostgreSQL and on PGlite, the six services and nats-server
 * as processes, orders with Idempotency-Keys under SIGKILL of each service and of nats-server,
 * SIGSTOP past the ack wait and (PostgreSQL) backends terminated and connections refused; and once
 * more on PostgreSQL against a 3-node JetStream cluster (`--cluster`, streams at 3 replicas), where
 * the SIGKILL of the node leading ORDERS replaces the one of nats-server; then every invariant
 * through the HTTP API. The CLI must exit 0 and its JSON report name no broken invariant (the
 * failure message shows the broken ones and the run's progress).
 *
 * The passes overlap to keep the file short: the PGlite pass starts first (six PGlite services
 * booting is most of its time, and CPU-bound), the PostgreSQL pass and the cluster pass once
 * PGlite's platform is up. Each has its own nats-server(s), databases, ports and tenant.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVICES } from './harness/platform.js';

const root = new URL('../', import.meta.url).pathname;
/** One pass: platform start, the short window with its faults, the drain and the checks, on a loaded 2-core machine. */
const PASS_TIMEOUT_MS = 170_000;

interface PassJson {
  storage: string;
  cluster: boolean;
  keys: number;
  ok: boolean;
  faults: Array<{ kind: string; target: string; detail: string; error?: string; node?: { node: string; stream: string; successor?: string; electionMs?: number; downMs: number } }>;
  skippedFaults: string[];
  orders: { accepted: number };
  timings: { startMs: number; ordersMs: number; terminalMs: number; settleMs: number; checkMs: number; totalMs: number };
  invariants: Array<{ name: string; ok: boolean; failures: string[] }>;
}

/** The pass's timings and its node kills, one line (the figures in docs/chaos.md). */
function summary(pass: PassJson): string {
  const t = pass.timings;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const nodeKills = pass.faults.filter((fault) => fault.node).map((fault) => `; node-kill ${fault.target}: ${fault.detail}`);
  return `took ${s(t.totalMs)} (start ${s(t.startMs)}, orders+faults ${s(t.ordersMs)}, terminal ${s(t.terminalMs)}, settle ${s(t.settleMs)}, checks ${s(t.checkMs)}), ${pass.faults.length} faults${nodeKills.join('')}`;
}

/**
 * The CLI as a process: node with tsx's loader, not tsx's CLI, so that a signal reaches the CLI
 * itself (tsx's CLI relays one and SIGKILLs its child if it does not confirm within 30 ms, which a
 * loaded machine misses). `signal` is the test's: when the test times out the CLI gets SIGTERM and
 * stops its platform (services, nats-servers, databases) before it exits, leaving none behind.
 */
function chaos(args: readonly string[], signal: AbortSignal, onProgress: (stderr: string) => void = () => undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', `${root}node_modules/tsx/dist/loader.mjs`, 'tools/chaos/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onProgress(stderr);
    });
    child.once('error', (error) => (error.name === 'AbortError' ? undefined : reject(error)));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once the PGlite pass has its platform up (it prints "placing … orders"), or has ended. */
let pgliteUp!: () => void;
const pgliteStarted = new Promise<void>((resolve) => (pgliteUp = resolve));

const PASSES = [
  { name: 'pglite', storage: 'pglite', cluster: false },
  { name: 'postgres', storage: 'postgres', cluster: false },
  { name: 'postgres, 3-node cluster', storage: 'postgres', cluster: true },
] as const;

describe.concurrent('chaos, short mode (every fault, every invariant)', () => {
  it.for(PASSES.map((pass) => [pass.name, pass] as const))(
    'on %s: exits 0, no invariant broken',
    { timeout: PASS_TIMEOUT_MS },
    async ([name, { storage, cluster }], { signal }) => {
      const seed = process.env['CHAOS_SEED'] ?? '20240601';
      const first = storage === 'pglite';
      if (!first) await pgliteStarted;
      const onProgress = first ? (stderr: string) => stderr.includes('] placing ') && pgliteUp() : undefined;
      const args = ['--short', '--storage', storage, ...(cluster ? ['--cluster'] : []), '--seed', seed, '--json'];
      const started = Date.now();
      const run = await chaos(args, signal, onProgress).finally(() => first && pgliteUp());
      let pass: PassJson | undefined;
      try {
        pass = (JSON.parse(run.stdout) as { passes: PassJson[] }).passes[0];
      } catch {
        // not a report: the failure below shows the output
      }
      const broken = pass?.invariants.filter((i) => !i.ok).map((i) => `${i.name}: ${i.failures.slice(0, 5).join('; ')}`);
      const context = `chaos ${args.join(' ')} exited ${run.code} after ${Math.round((Date.now() - started) / 1000)} s\n${run.stderr.slice(-4000)}${pass ? '' : `\n${run.stdout.slice(-2000)}`}`;
      if (pass) console.info(`[chaos ${name}] exit ${run.code} after ${Math.round((Date.now() - started) / 1000)} s: ${summary(pass)}`);
      expect(broken, context).toEqual([]);
      expect(run.code, context).toBe(0);
      expect(pass!.cluster).toBe(cluster);
      expect(pass!.faults.filter((fault) => fault.error)).toEqual([]);
      // Each service killed once (two at a time in the short mode), one service paused, and nats-server
      // killed — on the cluster the node leading ORDERS instead (nats reported as not applying).
      expect(pass!.faults.filter((fault) => fault.kind === 'kill').flatMap((fault) => fault.target.split('+')).sort()).toEqual([...SERVICES].sort());
      expect(pass!.faults.map((fault) => fault.kind)).toEqual(expect.arrayContaining([cluster ? 'node-kill' : 'nats', 'pause', ...(storage === 'postgres' ? ['db-terminate', 'db-refuse'] : [])]));
      expect(pass!.skippedFaults).toEqual([...(cluster ? ['nats'] : []), ...(storage === 'pglite' ? ['db-terminate', 'db-refuse'] : [])]);
      if (cluster) {
        const nodeKills = pass!.faults.filter((fault) => fault.kind === 'node-kill');
        expect(nodeKills, context).toEqual([expect.objectContaining({ node: expect.objectContaining({ stream: 'ORDERS', successor: expect.any(String), electionMs: expect.any(Number) }) })]);
        expect(nodeKills[0]!.node!.successor).not.toBe(nodeKills[0]!.node!.node);
        expect(nodeKills[0]!.target).toBe(nodeKills[0]!.node!.node);
      } else {
        expect(pass!.faults.map((fault) => fault.kind)).not.toContain('node-kill');
      }
      expect(pass!.orders.accepted).toBe(pass!.keys);
    },
  );
});
