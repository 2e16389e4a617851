import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PlatformService } from '@platform/contracts';
import { parse } from 'yaml';

// Consistency of the observability artifacts (deploy/grafana, deploy/prometheus,
// docs/observability.md) with the metrics catalogue (docs/metrics.md): every panel is complete and
// every expression names only documented metrics; every alert has its runbook.

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const DASHBOARD_DIR = 'deploy/grafana/dashboards';
const EXPECTED_UIDS = ['platform-event-bus', 'platform-order-flow', 'platform-service-health'];
const RULES_FILE = 'deploy/prometheus/rules/platform.rules.yml';
const PROMETHEUS_FILE = 'deploy/prometheus/prometheus.yml';
const ALERTMANAGER_FILE = 'deploy/alertmanager/alertmanager.yml';
const RUNBOOK_DOC = 'docs/observability.md';
const SERVICES: readonly string[] = Object.values(PlatformService);

/** Metric names of the catalogue's table rows (`| \`name\` | type | …`), wildcard rows excluded. */
function catalogue(): Set<string> {
  const names = new Set<string>();
  for (const match of read('docs/metrics.md').matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \|/gm)) names.add(match[1]!);
  return names;
}

const METRIC_TOKEN = /\b(?:events_|http_|orders?_|payments?_|inventory_|notifications_|loyalty_|analytics_|process_|nodejs_|up\b)[a-z0-9_:]*/g;

/** Metric-like identifiers of a PromQL expression (label values in quotes and `by (...)` label lists excluded). */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const withoutGrouping = withoutStrings.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...withoutGrouping.matchAll(METRIC_TOKEN)].map((m) => m[0]);
}

/** Why a referenced name is unknown, or undefined when it is documented (or a default metric). */
function undocumented(name: string, documented: Set<string>): boolean {
  if (name === 'up' || name.startsWith('process_') || name.startsWith('nodejs_')) return false;
  const base = name.replace(/_(?:bucket|sum|count)$/, '');
  return !documented.has(name) && !documented.has(base);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    anchors.add(
      match[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

type Panel = { id?: unknown; type?: string; title?: string; datasource?: any; fieldConfig?: any; gridPos?: any; targets?: any[]; panels?: Panel[] };

/** Every panel, rows' nested panels included; rows themselves are returned separately. */
function flatten(panels: Panel[]): { rows: Panel[]; panels: Panel[] } {
  const rows: Panel[] = [];
  const out: Panel[] = [];
  for (const panel of panels) {
    if (panel.type === 'row') {
      rows.push(panel);
      const nested = flatten(panel.panels ?? []);
      rows.push(...nested.rows);
      out.push(...nested.panels);
    } else out.push(panel);
  }
  return { rows, panels: out };
}

const dashboardFiles = readdirSync(join(root, DASHBOARD_DIR)).filter((f) => f.endsWith('.json')).sort();

describe('helpers', () => {
  it('extract metric names, not functions, label names or label values', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"$service", route="/orders"}[$__rate_interval]))) / on (instance) up',
      ),
    ).toEqual(['http_request_duration_seconds_bucket', 'up']);
    expect(metricNames('sum(increase(orders_cancelled_total[15m])) or vector(0)')).toEqual(['orders_cancelled_total']);
  });

  it('know the catalogue and refuse an undocumented name', () => {
    const documented = catalogue();
    expect(documented.size).toBeGreaterThan(20);
    expect(documented.has('events_dead_lettered_total')).toBe(true);
    expect(undocumented('events_handler_duration_seconds_bucket', documented)).toBe(false);
    expect(undocumented('process_cpu_seconds_total', documented)).toBe(false);
    expect(undocumented('orders_lost_total', documented)).toBe(true);
  });

  it('compute GitHub heading anchors', () => {
    expect([...headingAnchors('## Runbook\n### PlatformOutboxStuck\n### Created → terminal (15m)\n')]).toEqual([
      'runbook',
      'platformoutboxstuck',
      'created--terminal-15m',
    ]);
  });
});

describe('Grafana dashboards', () => {
  const documented = catalogue();

  it('are the three expected files with distinct, stable uids', () => {
    expect(dashboardFiles).toEqual(['event-bus.json', 'order-flow.json', 'service-health.json']);
    const uids = dashboardFiles.map((f) => JSON.parse(read(`${DASHBOARD_DIR}/${f}`)).uid);
    expect([...uids].sort()).toEqual(EXPECTED_UIDS);
  });

  describe.each(dashboardFiles)('%s', (file) => {
    const text = read(`${DASHBOARD_DIR}/${file}`);

    it('is valid JSON with title, platform tag, schemaVersion 38 and no fixed id', () => {
      const d = JSON.parse(text);
      expect(EXPECTED_UIDS).toContain(d.uid);
      expect(typeof d.title).toBe('string');
      expect(d.title.length).toBeGreaterThan(0);
      expect(d.tags).toContain('platform');
      expect(d.schemaVersion).toBe(38);
      expect(d.id ?? null).toBeNull();
    });

    it('has the datasource variable, and a well-formed service variable where it has one', () => {
      const vars: any[] = JSON.parse(text).templating?.list ?? [];
      const ds = vars.find((v) => v.name === 'datasource');
      expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
      const service = vars.find((v) => v.name === 'service');
      if (service) {
        const query = typeof service.query === 'string' ? service.query : service.query?.query;
        expect(query).toBe('label_values(up{job="platform"}, service)');
        expect(service).toMatchObject({ type: 'query', multi: true, includeAll: true, datasource: { type: 'prometheus', uid: '${datasource}' } });
      }
    });

    it('has panels with unique integer ids, a grid position, the datasource variable, a unit and thresholds', () => {
      const d = JSON.parse(text);
      const { rows, panels } = flatten(d.panels ?? []);
      expect(panels.length).toBeGreaterThan(0);
      const ids = [...rows, ...panels].map((p) => p.id);
      for (const id of ids) expect(Number.isInteger(id)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        const where = `${file}: panel ${p.id} "${p.title}"`;
        expect(p.title, where).toBeTruthy();
        expect(p.gridPos, where).toMatchObject({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
        expect(p.datasource, where).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(typeof p.fieldConfig?.defaults?.unit, where).toBe('string');
        expect(p.fieldConfig.defaults.unit.length, where).toBeGreaterThan(0);
        const thresholds = p.fieldConfig.defaults.thresholds;
        expect(thresholds?.mode, where).toBe('absolute');
        expect(thresholds.steps.length, where).toBeGreaterThan(0);
        expect(thresholds.steps[0].value, where).toBeNull();
        for (const step of thresholds.steps.slice(1)) expect(typeof step.value, where).toBe('number');
      }
    });

    it('has targets with an expression and a unique refId in every panel, filtered by $service when the variable exists', () => {
      const d = JSON.parse(text);
      const hasService = (d.templating?.list ?? []).some((v: any) => v.name === 'service');
      const { panels } = flatten(d.panels ?? []);
      expect(panels.length).toBeGreaterThan(0);
      for (const p of panels) {
        const where = `${file}: panel ${p.id} "${p.title}"`;
        const targets = p.targets ?? [];
        expect(targets.length, where).toBeGreaterThan(0);
        const refIds = targets.map((t: any) => t.refId);
        expect(new Set(refIds).size, where).toBe(refIds.length);
        for (const t of targets) {
          expect(typeof t.refId, where).toBe('string');
          expect(typeof t.expr, where).toBe('string');
          expect(t.expr.trim().length, where).toBeGreaterThan(0);
          if (hasService) expect(t.expr, where).toContain('service=~"$service"');
          // rate() and friends over the range Grafana picks, except deliberate fixed windows
          for (const w of t.expr.matchAll(/\b(?:rate|irate)\([^[]*\[([^\]]+)\]/g)) expect(w[1], where).toBe('$__rate_interval');
        }
      }
    });

    it('references only documented metrics', () => {
      const { panels } = flatten(JSON.parse(text).panels ?? []);
      const names = panels.flatMap((p) => (p.targets ?? []).flatMap((t: any) => metricNames(t.expr ?? '')));
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => undocumented(n, documented))).toEqual([]);
    });
  });
});

describe('Prometheus alerting rules', () => {
  const rulesText = read(RULES_FILE);
  const documented = catalogue();
  const anchors = headingAnchors(read(RUNBOOK_DOC));

  const rules = (): any[] => {
    const groups = parse(rulesText)?.groups ?? [];
    return groups.flatMap((g: any) => g.rules ?? []);
  };

  it('parse into the platform group with the six alerts', () => {
    const doc = parse(rulesText);
    expect(doc.groups.map((g: any) => g.name)).toEqual(['platform']);
    expect(rules().map((r) => r.alert).sort()).toEqual([
      'PlatformConsumerLag',
      'PlatformDeadLettersGrowing',
      'PlatformNoOutboxLeader',
      'PlatformOrdersStuckPending',
      'PlatformOutboxStuck',
      'PlatformServiceDown',
    ]);
  });

  it('each have an expression, a duration, a severity and the three annotations', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      expect(typeof r.alert, JSON.stringify(r)).toBe('string');
      expect(typeof r.expr, r.alert).toBe('string');
      expect(r.expr.trim().length, r.alert).toBeGreaterThan(0);
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], r.alert).toContain(r.labels?.severity);
      for (const key of ['summary', 'description', 'runbook_url']) {
        expect(typeof r.annotations?.[key], `${r.alert} ${key}`).toBe('string');
        expect(r.annotations[key].trim().length, `${r.alert} ${key}`).toBeGreaterThan(0);
      }
    }
  });

  it('link to an existing runbook heading in docs/observability.md', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(0);
    expect(anchors.has('runbook')).toBe(true);
    for (const r of all) {
      const match = /^docs\/observability\.md#([a-z0-9_-]+)$/.exec(r.annotations?.runbook_url ?? '');
      expect(match, `${r.alert}: ${r.annotations?.runbook_url}`).not.toBeNull();
      expect(anchors.has(match![1]!), `${r.alert}: #${match![1]} is no heading of ${RUNBOOK_DOC}`).toBe(true);
    }
  });

  it('reference only documented metrics', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      expect(names.filter((n) => undocumented(n, documented)), r.alert).toEqual([]);
    }
  });
});

describe('Prometheus configuration', () => {
  const config = parse(read(PROMETHEUS_FILE));

  it('scrapes every 5 s', () => {
    expect(config.global?.scrape_interval).toBe('5s');
  });

  it('has the platform job: one target per service with its service label, honoring exposed labels', () => {
    const jobs: any[] = config.scrape_configs ?? [];
    const platform = jobs.find((j) => j.job_name === 'platform');
    expect(platform).toBeDefined();
    expect(platform.honor_labels).toBe(true);
    const statics: any[] = platform.static_configs ?? [];
    const targets = statics.flatMap((s) => (s.targets ?? []).map((t: string) => ({ target: t, service: s.labels?.service })));
    expect(targets).toHaveLength(6);
    expect(targets.map((t) => t.service).sort()).toEqual([...SERVICES].sort());
    expect(targets.map((t) => t.target).sort()).toEqual(SERVICES.map((_, i) => `127.0.0.1:${3000 + i}`));
    const ports = Object.fromEntries(targets.map((t) => [t.service, Number(t.target.split(':')[1])]));
    expect(ports).toEqual({ order: 3000, payment: 3001, inventory: 3002, notification: 3003, analytics: 3004, loyalty: 3005 });
  });

  it('loads rule files that exist, relative to the configuration file', () => {
    const files: string[] = config.rule_files ?? [];
    expect(files.length).toBeGreaterThan(0);
    expect(files).toContain('rules/platform.rules.yml');
    const base = dirname(join(root, PROMETHEUS_FILE));
    for (const f of files) expect(existsSync(resolve(base, f)), f).toBe(true);
  });

  it('sends its alerts to the Alertmanager npm run observe starts (127.0.0.1:9093)', () => {
    const targets = (config.alerting?.alertmanagers ?? []).flatMap((a: any) => (a.static_configs ?? []).flatMap((c: any) => c.targets ?? []));
    expect(targets).toEqual(['127.0.0.1:9093']);
  });
});

describe('Alertmanager configuration', () => {
  // Routing and inhibition only; that a firing rule reaches the receiver: tools/alertmanager.int.spec.ts.
  const config = parse(read(ALERTMANAGER_FILE));
  const rules: any[] = (parse(read(RULES_FILE))?.groups ?? []).flatMap((g: any) => g.rules ?? []);
  const alertNames = new Set(rules.map((r) => r.alert as string));
  const receivers = new Set<string>((config.receivers ?? []).map((r: any) => r.name));
  const routes = (route: any): any[] => [route, ...(route.routes ?? []).flatMap(routes)];
  const names = (matchers: string[] = []) => matchers.flatMap((m) => [.../alertname\s*(?:=|=~)\s*"([^"]+)"/.exec(m)?.slice(1) ?? []]);

  it('routes every severity the rules use to a receiver it defines, grouped by alert and service', () => {
    expect(receivers.has(config.route.receiver)).toBe(true);
    for (const route of routes(config.route)) expect(receivers.has(route.receiver ?? config.route.receiver), route.receiver).toBe(true);
    expect(config.route.group_by).toEqual(expect.arrayContaining(['alertname', 'service']));
    const severities = new Set(rules.map((r) => r.labels?.severity as string));
    expect([...severities].sort()).toEqual(['critical', 'warning']);
    for (const severity of severities) {
      expect(
        (config.route.routes ?? []).some((r: any) => (r.matchers ?? []).includes(`severity="${severity}"`)),
        `a route for severity ${severity}`,
      ).toBe(true);
    }
  });

  it('inhibits by alerts that exist, within the same service, and not PlatformServiceDown by itself', () => {
    const inhibitions: any[] = config.inhibit_rules ?? [];
    expect(inhibitions.length).toBeGreaterThan(0);
    for (const rule of inhibitions) {
      for (const name of names(rule.source_matchers)) expect(alertNames.has(name), name).toBe(true);
      for (const name of names(rule.target_matchers).filter((n) => !/[.*+]/.test(n))) expect(alertNames.has(name), name).toBe(true);
      expect(rule.equal).toEqual(['service']);
    }
    const down = inhibitions.find((r) => names(r.source_matchers).includes('PlatformServiceDown'));
    expect(down?.target_matchers).toContain('alertname!="PlatformServiceDown"');
  });

  it('ships the on-call receiver without a URL: the one thing to set, from a file (docs/observability.md#alerting)', () => {
    const oncall = (config.receivers ?? []).find((r: any) => r.name === 'platform-oncall');
    expect(oncall).toBeDefined();
    expect(JSON.stringify(oncall)).not.toMatch(/"url"/);
    expect(read(ALERTMANAGER_FILE)).toMatch(/url_file: \/etc\/alertmanager\/receiver\/url/);
    expect(headingAnchors(read(RUNBOOK_DOC)).has('alerting'), 'docs/observability.md has an Alerting section').toBe(true);
  });
});
