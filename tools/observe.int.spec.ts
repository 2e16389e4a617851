import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/events/testing';
import { describe, expect, it, vi } from 'vitest';

const script = new URL('./observe.ts', import.meta.url).pathname;

describe('npm run observe', () => {
  it('starts Prometheus with the platform scrape config and the alerting rules, and the Alertmanager it sends to, and stops both on SIGINT', async () => {
    const port = await freePort();
    const alertmanagerPort = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'observe-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PROMETHEUS_PORT: String(port), PROMETHEUS_DATA_DIR: join(dataDir, 'prometheus'), ALERTMANAGER_PORT: String(alertmanagerPort), ALERTMANAGER_DATA_DIR: join(dataDir, 'alertmanager') };
    delete env['ALERTMANAGER_WEBHOOK_URL'];
    // As package.json runs it: tsx's loader in this one process (`node --import tsx`).
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: 'ignore' });
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
      // The Alertmanager (tools/ensure-services.sh installs Debian's) runs with the shipped config
      // on ALERTMANAGER_PORT, and Prometheus sends to it.
      const alertmanager = `http://127.0.0.1:${alertmanagerPort}`;
      await vi.waitFor(async () => expect((await fetch(`${alertmanager}/-/ready`).catch(() => undefined))?.status).toBe(200), { timeout: 30_000, interval: 200 });
      const status = (await (await fetch(`${alertmanager}/api/v2/status`)).json()) as { config: { original: string } };
      expect(status.config.original).toMatch(/receiver: platform-oncall/);
      await vi.waitFor(
        async () => {
          const senders = (await (await fetch(`${url}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: Array<{ url: string }> } };
          expect(senders.data.activeAlertmanagers.map((a) => a.url)).toEqual([`${alertmanager}/api/v2/alerts`]);
        },
        { timeout: 10_000, interval: 200 },
      );
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
