#!/usr/bin/env node
// `npm run observe`: a local Prometheus scraping the platform that `npm start` runs (services on
// 127.0.0.1:3000-3005), with the alerting rules, using deploy/prometheus/prometheus.yml as is, and
// the Alertmanager it sends to (deploy/alertmanager/alertmanager.yml) on 127.0.0.1:9093 when one is
// installed. Data goes to .data/prometheus and .data/alertmanager. Ctrl-C stops both.
//
// Environment: PROMETHEUS_BIN (default `prometheus` from PATH), PROMETHEUS_PORT (default 9090),
// PROMETHEUS_DATA_DIR (default .data/prometheus); ALERTMANAGER_BIN (default
// `prometheus-alertmanager`, Debian's name, else `alertmanager`), ALERTMANAGER_PORT (default 9093),
// ALERTMANAGER_DATA_DIR (default .data/alertmanager), ALERTMANAGER_WEBHOOK_URL (a webhook the
// on-call receiver delivers to; unset = alerts only in Alertmanager's UI).
// Derived configs (only when needed): ALERTMANAGER_WEBHOOK_URL set -> the shipped Alertmanager
// config plus that webhook; ALERTMANAGER_PORT not 9093 -> the shipped Prometheus config sending
// there. Both are written to the Alertmanager data folder (observe-*.yml).
// Exit codes: Prometheus's own (0 after Ctrl-C), the Alertmanager's when it stops first, or 1 when
// no Prometheus is installed (with instructions).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALERTMANAGER_CONFIG,
  DEFAULT_ALERTMANAGER_PORT,
  PROMETHEUS_CONFIG,
  alertmanagerArgs,
  alertmanagerBinary,
  alertmanagerConfigWithWebhook,
  prometheusConfigFor,
} from './alerting-local.mjs';

const root = new URL('..', import.meta.url).pathname;
const bin = process.env.PROMETHEUS_BIN || 'prometheus';
const port = process.env.PROMETHEUS_PORT || '9090';
const dataDir = process.env.PROMETHEUS_DATA_DIR || join(root, '.data', 'prometheus');
const alertmanagerPort = process.env.ALERTMANAGER_PORT || String(DEFAULT_ALERTMANAGER_PORT);
const alertmanagerDataDir = process.env.ALERTMANAGER_DATA_DIR || join(root, '.data', 'alertmanager');
const webhookUrl = process.env.ALERTMANAGER_WEBHOOK_URL || '';
const say = (message) => console.log(`[observe] ${message}`);

const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(`[observe] no Prometheus found (${bin}). Install one, then run npm run observe again:
  Debian/Ubuntu:  sudo apt-get install --no-install-recommends prometheus prometheus-alertmanager
  macOS:          brew install prometheus alertmanager
  Docker:         docker run --rm --network host -v "${join(root, 'deploy', 'prometheus')}:/etc/prometheus" prom/prometheus --config.file=/etc/prometheus/prometheus.yml
(or set PROMETHEUS_BIN to its path)`);
  process.exit(1);
}

const children = new Set();
let stopping = false;
let exitCode = 0;
function run(name, command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    // The first to stop on its own decides the exit code and stops the other.
    if (!stopping) {
      stopping = true;
      exitCode = code ?? (signal ? 0 : 1);
      if (code !== 0) say(`${name} exited (${code ?? signal}); stopping`);
      for (const other of children) other.kill('SIGTERM');
    } else if (exitCode === 0 && code) exitCode = code;
    if (children.size === 0) process.exit(exitCode);
  });
  return child;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of children) child.kill(signal);
  });
}

let prometheusConfig = PROMETHEUS_CONFIG;
const alertmanager = alertmanagerBinary();
if (alertmanager) {
  mkdirSync(alertmanagerDataDir, { recursive: true });
  let config = ALERTMANAGER_CONFIG;
  if (webhookUrl) {
    config = join(alertmanagerDataDir, 'observe-alertmanager.yml');
    writeFileSync(config, alertmanagerConfigWithWebhook(readFileSync(ALERTMANAGER_CONFIG, 'utf8'), webhookUrl), { mode: 0o600 });
  }
  if (alertmanagerPort !== String(DEFAULT_ALERTMANAGER_PORT)) {
    prometheusConfig = join(alertmanagerDataDir, 'observe-prometheus.yml');
    writeFileSync(prometheusConfig, prometheusConfigFor(readFileSync(PROMETHEUS_CONFIG, 'utf8'), { configFile: PROMETHEUS_CONFIG, alertmanagers: [`127.0.0.1:${alertmanagerPort}`] }));
  }
  say(`Alertmanager on http://127.0.0.1:${alertmanagerPort} (${alertmanager}, config ${config})`);
  say(webhookUrl ? 'alerts are delivered to ALERTMANAGER_WEBHOOK_URL (receiver platform-oncall)' : 'no receiver set (ALERTMANAGER_WEBHOOK_URL): alerts are listed in the Alertmanager UI only (docs/observability.md#alerting)');
  run('alertmanager', alertmanager, alertmanagerArgs({ configFile: config, dataDir: alertmanagerDataDir, port: alertmanagerPort }));
} else {
  say(`no Alertmanager found (${process.env.ALERTMANAGER_BIN || 'prometheus-alertmanager, alertmanager'}): running Prometheus alone, its alerts go nowhere. Install one, then run npm run observe again:
  Debian/Ubuntu:  sudo apt-get install --no-install-recommends prometheus-alertmanager
  macOS:          brew install alertmanager
(or set ALERTMANAGER_BIN to its path)`);
}

mkdirSync(dataDir, { recursive: true });
say(`Prometheus on http://127.0.0.1:${port}, scraping the six services on 127.0.0.1:3000-3005 (config ${prometheusConfig})`);
say('Grafana: add a Prometheus data source with this URL, then import deploy/grafana/dashboards/*.json (docs/observability.md).');
run('prometheus', bin, [`--config.file=${prometheusConfig}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`]);
