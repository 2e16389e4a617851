import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/events/testing';
import { describe, expect, it, vi } from 'vitest';

const script = new URL('./observe.mjs', import.meta.url).pathname;

describe('npm run observe', () => {
  it('starts Prometheus with the platform scrape config and the alerting rules, and stops on SIGINT', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'observe-'));
    const child = spawn(process.execPath, [script], { env: { ...process.env, PROMETHEUS_PORT: String(port), PROMETHEUS_DATA_DIR: dataDir }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      await vi.waitFor(async () => expect((await fetch(`${url}/-/ready`).catch(() => undefined))?.status).toBe(200), { timeout: 30_000, interval: 200 });
      await vi.waitFor(
        async () => {
          const targets = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ labels: Record<string, string> }> } };
          expect(targets.data.activeTargets.map((t) => [t.labels['job'], t.labels['service']]).sort()).toEqual(
            ['analytics', 'inventory', 'loyalty', 'notification', 'order', 'payment'].map((service) => ['platform', service]),
          );
        },
        { timeout: 10_000, interval: 200 },
      );
      const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: unknown[] }> } };
      expect(rules.data.groups.flatMap((g) => g.rules).length).toBeGreaterThanOrEqual(5);
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
