#!/usr/bin/env node
// `npm run observe`: a local Prometheus scraping the platform that `npm start` runs (services on
// 127.0.0.1:3000-3005), with the alerting rules, using deploy/prometheus/prometheus.yml as is.
// Data goes to .data/prometheus. Ctrl-C stops it.
//
// Environment: PROMETHEUS_BIN (default `prometheus` from PATH), PROMETHEUS_PORT (default 9090),
// PROMETHEUS_DATA_DIR (default .data/prometheus).
// Exit codes: the server's own, or 1 when no Prometheus is installed (with instructions).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = process.env.PROMETHEUS_BIN || 'prometheus';
const port = process.env.PROMETHEUS_PORT || '9090';
const dataDir = process.env.PROMETHEUS_DATA_DIR || join(root, '.data', 'prometheus');
const config = join(root, 'deploy', 'prometheus', 'prometheus.yml');
const say = (message) => console.log(`[observe] ${message}`);

const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(`[observe] no Prometheus found (${bin}). Install one, then run npm run observe again:
  Debian/Ubuntu:  sudo apt-get install --no-install-recommends prometheus
  macOS:          brew install prometheus
  Docker:         docker run --rm --network host -v "${join(root, 'deploy', 'prometheus')}:/etc/prometheus" prom/prometheus --config.file=/etc/prometheus/prometheus.yml
(or set PROMETHEUS_BIN to its path)`);
  process.exit(1);
}

mkdirSync(dataDir, { recursive: true });
say(`Prometheus on http://127.0.0.1:${port}, scraping the six services on 127.0.0.1:3000-3005 (config ${config})`);
say('Grafana: add a Prometheus data source with this URL, then import deploy/grafana/dashboards/*.json (docs/observability.md).');
const child = spawn(bin, [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
