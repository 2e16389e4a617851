import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/events/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { ALERTMANAGER_CONFIG, ONCALL_RECEIVER, alertmanagerArgs, alertmanagerBinary, alertmanagerConfigWithWebhook } from './alerting-local.js';

// The alerting path end to end, on loopback ports: Prometheus evaluates the shipped rules against
// targets this test controls, sends to an Alertmanager running the shipped config (routing by
// severity, inhibition), whose on-call receiver is given a webhook served here — exactly what
// docs/observability.md#alerting tells an operator to set.
//
// One derivation: the shipped rules wait 1 to 15 minutes (`for:`) before firing; the test loads a
// copy of deploy/prometheus/rules/platform.rules.yml with every `for` shortened to 1s (the
// expressions, labels and annotations unchanged), so the whole spec takes about 20 s.
//
// The scenario: `inventory` runs two replicas, one down (a closed port: up == 0, PlatformServiceDown)
// and one exporting events_outbox_relay_leader 0 (PlatformNoOutboxLeader, inhibited by the
// ServiceDown of the same service); `payment` exports events_outbox_relay_leader 0 (delivered).

const root = new URL('..', import.meta.url).pathname;
const RULES_FILE = join(root, 'deploy/prometheus/rules/platform.rules.yml');
const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] || 'prometheus';
const AMTOOL_BIN = process.env['AMTOOL_BIN'] || 'amtool';

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface WebhookMessage {
  receiver: string;
  status: string;
  alerts: WebhookAlert[];
}

const received: WebhookMessage[] = [];
const servers: Server[] = [];
const processes: ChildProcess[] = [];
let workDir: string;
let alertmanagerUrl: string;
let prometheusUrl: string;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A target exposing `body` on GET /metrics. */
const metricsTarget = (body: string) =>
  listen((req, res) => {
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(req.url === '/metrics' ? body : '');
  });

async function start(name: string, command: string, args: string[], readyUrl: string): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  processes.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await vi.waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
      expect((await fetch(readyUrl).catch(() => undefined))?.status, `${name} ready`).toBe(200);
    },
    { timeout: 20_000, interval: 200 },
  );
}

beforeAll(async () => {
  const alertmanager = alertmanagerBinary();
  if (!alertmanager) throw new Error('no Alertmanager installed (apt-get install --no-install-recommends prometheus-alertmanager; bash tools/ensure-services.sh does it)');
  workDir = await mkdtemp(join(tmpdir(), 'alertmanager-int-'));

  const webhook = await listen((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/alerts') received.push(JSON.parse(body) as WebhookMessage);
      res.writeHead(200).end();
    });
  });
  writeFileSync(join(workDir, 'alertmanager.yml'), alertmanagerConfigWithWebhook(readFileSync(ALERTMANAGER_CONFIG, 'utf8'), `http://${webhook}/alerts`));
  const alertmanagerPort = await freePort();
  alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;
  await start(
    'alertmanager',
    alertmanager,
    [...alertmanagerArgs({ configFile: join(workDir, 'alertmanager.yml'), dataDir: join(workDir, 'alertmanager'), port: alertmanagerPort }), '--log.level=warn'],
    `${alertmanagerUrl}/-/ready`,
  );

  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ for?: string }> }> };
  for (const rule of rules.groups.flatMap((g) => g.rules)) if (rule.for) rule.for = '1s';
  writeFileSync(join(workDir, 'platform.rules.yml'), JSON.stringify(rules));

  const inventoryUp = await metricsTarget('# TYPE events_outbox_relay_leader gauge\nevents_outbox_relay_leader{service="inventory"} 0\n');
  const inventoryDown = `127.0.0.1:${await freePort()}`;
  const payment = await metricsTarget('# TYPE events_outbox_relay_leader gauge\nevents_outbox_relay_leader{service="payment"} 0\n');
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    rule_files: [join(workDir, 'platform.rules.yml')],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
    scrape_configs: [
      {
        job_name: 'platform',
        honor_labels: true,
        static_configs: [
          { targets: [inventoryUp, inventoryDown], labels: { service: 'inventory' } },
          { targets: [payment], labels: { service: 'payment' } },
        ],
      },
    ],
  };
  writeFileSync(join(workDir, 'prometheus.yml'), JSON.stringify(config));
  const prometheusPort = await freePort();
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  await start(
    'prometheus',
    PROMETHEUS_BIN,
    [`--config.file=${join(workDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(workDir, 'prometheus')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`, '--log.level=warn'],
    `${prometheusUrl}/-/ready`,
  );
});

afterAll(async () => {
  await Promise.all(
    processes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const delivered = () => received.filter((m) => m.status === 'firing').flatMap((m) => m.alerts.filter((a) => a.status === 'firing').map((a) => ({ receiver: m.receiver, ...a })));

describe('alerting: a firing platform rule reaches Alertmanager and its receiver', () => {
  it('ships an Alertmanager config that Alertmanager 0.25 accepts as is (amtool check-config)', () => {
    const check = spawnSync(AMTOOL_BIN, ['check-config', ALERTMANAGER_CONFIG], { encoding: 'utf8' });
    expect(check.error, 'amtool (from prometheus-alertmanager) on the PATH').toBeUndefined();
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('delivers PlatformServiceDown and PlatformNoOutboxLeader to the on-call webhook with alertname, service and severity', async () => {
    await vi.waitFor(
      () => {
        const keys = delivered().map((a) => `${a.labels['alertname']}/${a.labels['service']}`);
        expect(keys).toEqual(expect.arrayContaining(['PlatformServiceDown/inventory', 'PlatformNoOutboxLeader/payment']));
      },
      { timeout: 45_000, interval: 250 },
    );
    const down = delivered().find((a) => a.labels['alertname'] === 'PlatformServiceDown')!;
    expect(down.receiver).toBe(ONCALL_RECEIVER);
    expect(down.labels).toMatchObject({ alertname: 'PlatformServiceDown', service: 'inventory', severity: 'critical', job: 'platform' });
    expect(down.annotations['runbook_url']).toBe('docs/observability.md#platformservicedown');
    const leader = delivered().find((a) => a.labels['alertname'] === 'PlatformNoOutboxLeader')!;
    expect(leader.labels).toMatchObject({ alertname: 'PlatformNoOutboxLeader', service: 'payment', severity: 'critical' });
  });

  it('inhibits the other alerts of a service that is down (PlatformServiceDown inhibits PlatformNoOutboxLeader of inventory)', async () => {
    const alerts = (await (await fetch(`${alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent('alertname="PlatformNoOutboxLeader"')}`)).json()) as Array<{
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }>;
    const inventory = alerts.find((a) => a.labels['service'] === 'inventory');
    expect(inventory, 'Prometheus sent PlatformNoOutboxLeader of inventory').toBeDefined();
    expect(inventory!.status.state).toBe('suppressed');
    expect(inventory!.status.inhibitedBy.length).toBe(1);
    expect(alerts.find((a) => a.labels['service'] === 'payment')?.status.state).toBe('active');
    expect(delivered().filter((a) => a.labels['alertname'] === 'PlatformNoOutboxLeader' && a.labels['service'] === 'inventory')).toEqual([]);
  });
});
