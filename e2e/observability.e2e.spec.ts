import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumersOf } from '@platform/events';
import { platformTopology } from '@platform/contracts';
import { freePort } from '@platform/events/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { operatorToken, Platform, randomTenant, request, SERVICES } from './harness/platform.js';

/** A request with an operator token of `options.tenant` (the services need one for everything but health and metrics). */
const authed = (url: string, options: Parameters<typeof request>[1] = {}) =>
  request(url, { token: options.tenant === undefined ? undefined : operatorToken(options.tenant), ...options });

// A real Prometheus (Debian's `prometheus` package; `bash tools/ensure-services.sh` installs it)
// scrapes the six services while a mix of orders flows, then every dashboard query and every alert
// expression is evaluated through its HTTP API.
const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] ?? 'prometheus';
const PROMTOOL_BIN = process.env['PROMTOOL_BIN'] ?? 'promtool';
const root = new URL('../', import.meta.url).pathname;
const RULES_FILE = join(root, 'deploy/prometheus/rules/platform.rules.yml');
const DASHBOARDS_DIR = join(root, 'deploy/grafana/dashboards');
const ORDER_DEADLINE_MS = 6_000;
const everyDurable = SERVICES.flatMap((service) => consumersOf(platformTopology(), service).map((c) => c.durable));

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string; refId?: string }>;
  panels?: Panel[];
}

function panelsOf(panels: Panel[] = []): Panel[] {
  return panels.flatMap((panel) => [...(panel.type === 'row' ? [] : [panel]), ...panelsOf(panel.panels)]);
}

/** Grafana's variables as a dashboard opened on "all services, last 5 minutes" would expand them. */
function expand(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '1m')
    .replace(/\$__range|\$\{__range\}/g, '5m')
    .replace(/\$__interval|\$\{__interval\}/g, '15s')
    .replace(/\$\{service(:[a-z]+)?\}|\$service/g, '.*');
}

function requireBinary(bin: string): void {
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`${bin} is not installed: run \`bash tools/ensure-services.sh\` (apt-get install prometheus), or set PROMETHEUS_BIN / PROMTOOL_BIN`);
  }
}

let platform: Platform;
let prometheus: ChildProcess | undefined;
let promUrl: string;
let workDir: string;

async function query(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
}

beforeAll(async () => {
  requireBinary(PROMTOOL_BIN);
  requireBinary(PROMETHEUS_BIN);
  platform = await Platform.start({
    env: { ORDER_DEADLINE_MS: String(ORDER_DEADLINE_MS), ORDER_DEADLINE_SWEEP_MS: '200', EVENT_RETRY_INITIAL_MS: '200', EVENT_RETRY_MAX_MS: '600', LOG_LEVEL: 'debug' },
    topology: { overrides: { consumers: Object.fromEntries(everyDurable.map((durable) => [durable, { ackWaitMs: 4_000 }])) } },
  });
  workDir = await mkdtemp(join(tmpdir(), 'prometheus-e2e-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    rule_files: [RULES_FILE],
    scrape_configs: [
      {
        job_name: 'platform',
        honor_labels: true,
        static_configs: SERVICES.map((service) => ({ targets: [`127.0.0.1:${platform.services[service].port}`], labels: { service } })),
      },
    ],
  };
  writeFileSync(join(workDir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(workDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(workDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  prometheus.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await vi.waitFor(
    async () => {
      if (prometheus!.exitCode !== null) throw new Error(`prometheus exited with ${prometheus!.exitCode}: ${stderr}`);
      expect((await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.status).toBe(200);
    },
    { timeout: 30_000, interval: 200 },
  );
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await platform?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('observability against a real Prometheus', () => {
  it('promtool accepts the alerting rules and every service’s /metrics', async () => {
    const rules = spawnSync(PROMTOOL_BIN, ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    for (const service of SERVICES) {
      const text = await (await fetch(`${platform.url(service)}/metrics`)).text();
      const check = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ service, status: check.status, output: check.stdout + check.stderr }).toEqual({ service, status: 0, output: '' });
    }
  });

  it('after a mix of orders, every panel of every dashboard returns data and every alert expression evaluates', async () => {
    // The mix: confirmed, declined, out of stock (voided), dead-lettered (gateway error, then the
    // deadline cancels it), and a stock-low crossing.
    const tenant = randomTenant('obs');
    const api = (service: (typeof SERVICES)[number], path: string, options: Parameters<typeof request>[1] = {}) => authed(`${platform.url(service)}${path}`, options);
    for (const [sku, available] of [
      ['SKU-A', 100],
      ['SKU-LOW', 7],
      ['SKU-FEW', 1],
    ] as const) {
      expect((await api('inventory', `/products/${sku}`, { method: 'PUT', tenant, body: { name: sku, priceCents: 1250, available } })).status).toBe(201);
    }
    await platform.settled();
    const orders: Array<[string, string, number]> = [
      ['tok_visa', 'SKU-A', 2],
      ['tok_visa', 'SKU-A', 1],
      ['tok_visa', 'SKU-LOW', 3],
      ['tok_decline', 'SKU-A', 1],
      ['tok_visa', 'SKU-FEW', 5],
      ['tok_gateway_error', 'SKU-A', 1],
    ];
    const ids: string[] = [];
    for (const [paymentToken, sku, quantity] of orders) {
      const created = await api('order', '/orders', { method: 'POST', tenant, body: { customerId: 'c-obs', items: [{ sku, quantity }], paymentToken } });
      expect(created.status).toBe(201);
      ids.push(created.body.orderId);
    }
    const statuses = await vi.waitFor(
      async () => {
        const all = await Promise.all(ids.map(async (id) => (await api('order', `/orders/${id}`, { tenant })).body));
        expect(all.map((o) => o.status).filter((s) => s === 'PENDING')).toEqual([]);
        return all.map((o) => `${o.status}${o.cancellationReason ? `:${o.cancellationReason}` : ''}`);
      },
      { timeout: ORDER_DEADLINE_MS + 20_000, interval: 200 },
    );
    expect(statuses).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'CANCELLED:payment_declined', 'CANCELLED:out_of_stock', 'CANCELLED:timeout']);
    await platform.settled();
    expect((await platform.nats.read('DLQ')).map((m) => m.headers['Dlq-Reason'])).toEqual(['retries_exhausted']);

    // Prometheus has scraped the final counts.
    await vi.waitFor(async () => expect((await query('sum(orders_created_total)')).data?.result).toMatchObject([{ value: [expect.anything(), '6'] }]), {
      timeout: 20_000,
      interval: 500,
    });

    const dashboards = readdirSync(DASHBOARDS_DIR).filter((file) => file.endsWith('.json'));
    expect(dashboards.sort()).toEqual(['event-bus.json', 'order-flow.json', 'service-health.json']);
    const panels = dashboards.flatMap((file) =>
      panelsOf((JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as { panels: Panel[] }).panels).map((panel) => ({ file, panel })),
    );
    expect(panels.length).toBeGreaterThan(20);
    await vi.waitFor(
      async () => {
        const empty: string[] = [];
        for (const { file, panel } of panels) {
          const targets = (panel.targets ?? []).filter((target) => target.expr);
          expect(targets.length, `${file} › ${panel.title}`).toBeGreaterThan(0);
          let withData = 0;
          for (const target of targets) {
            const result = await query(expand(target.expr!));
            expect(result, `${file} › ${panel.title} › ${target.refId}: ${target.expr}`).toMatchObject({ status: 'success' });
            if ((result.data?.result.length ?? 0) > 0) withData++;
          }
          if (withData === 0) empty.push(`${file} › ${panel.title}`);
        }
        expect(empty).toEqual([]);
      },
      { timeout: 60_000, interval: 2_000 },
    );

    const rules = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) expect(await query(rule.expr), rule.alert).toMatchObject({ status: 'success' });
    // Prometheus itself evaluates every rule without error.
    await vi.waitFor(
      async () => {
        const loaded = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
        const evaluated = loaded.data.groups.flatMap((g) => g.rules);
        expect(evaluated.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
        expect(evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
      },
      { timeout: 10_000, interval: 500 },
    );
    // The dead letter of the mix is what PlatformDeadLettersGrowing looks for.
    expect((await query(rules.find((r) => r.alert === 'PlatformDeadLettersGrowing')!.expr)).data?.result).toMatchObject([
      { metric: { service: 'payment', consumer: 'payment-orders', reason: 'retries_exhausted' } },
    ]);
  });

  it('follows one order across the six services by its trace id: every event and a log line in every service', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const tenant = randomTenant('trace');
    const correlationId = `trace-${tenant}`;
    expect((await authed(`${platform.url('inventory')}/products/SKU-T`, { method: 'PUT', tenant, body: { name: 'Traced', priceCents: 500, available: 10 } })).status).toBe(201);
    await platform.settled();
    const created = await authed(`${platform.url('order')}/orders`, {
      method: 'POST',
      tenant,
      body: { customerId: 'c-trace', items: [{ sku: 'SKU-T', quantity: 2 }], paymentToken: 'tok_visa' },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-correlation-id': correlationId },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const orderId = created.body.orderId as string;
    await vi.waitFor(async () => expect((await authed(`${platform.url('order')}/orders/${orderId}`, { tenant })).body.status).toBe('CONFIRMED'), { timeout: 15_000 });
    await platform.settled();

    const events: Array<{ stream: string; type: string; traceparent?: string; correlationid: string; header?: string }> = [];
    for (const stream of ['ORDERS', 'PAYMENTS', 'INVENTORY', 'LOYALTY', 'NOTIFICATIONS']) {
      for (const message of await platform.nats.read(stream)) {
        const envelope = message.json as { type: string; traceparent?: string; correlationid: string; data: { orderId?: string } };
        if (envelope.data.orderId === orderId) events.push({ stream, type: envelope.type, traceparent: envelope.traceparent, correlationid: envelope.correlationid, header: message.headers['traceparent'] });
      }
    }
    expect(events.map((e) => e.type).sort()).toEqual(
      [
        'inventory.committed.v1',
        'inventory.reserved.v1',
        'loyalty.points-awarded.v1',
        'notification.sent.v1',
        'order.confirmed.v1',
        'order.created.v3',
        'payment.authorized.v1',
        'payment.captured.v1',
      ].sort(),
    );
    for (const event of events) {
      expect(event, event.type).toMatchObject({ traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)), correlationid: correlationId });
      expect(event.header, event.type).toBe(event.traceparent);
    }

    // Every service wrote lines for this order carrying its trace id (events at debug level), and
    // the lines written while handling its events carry the order's correlation id too.
    await vi.waitFor(
      () => {
        for (const service of SERVICES) {
          const lines = readFileSync(platform.services[service].logFile, 'utf8')
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as Record<string, unknown>)
            .filter((line) => line['traceId'] === traceId);
          const handled = lines.filter((line) => line['msg'] === 'event handled');
          expect(handled.length, service).toBeGreaterThan(0);
          expect(handled.filter((line) => line['correlationId'] !== correlationId), service).toEqual([]);
        }
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});
