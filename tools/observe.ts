// `npm run observe`: a local Prometheus scraping the platform that `npm start` runs (services on
// 127.0.0.1:3000-3005), with the alerting rules, using deploy/prometheus/prometheus.yml as is, and
// the Alertmanager it sends to (deploy/alertmanager/alertmanager.yml) on 127.0.0.1:9093 when one is
// installed. Data goes to .data/prometheus and .data/alertmanager. Ctrl-C stops both.
//
// Environment (read by readObserveSettings, through tools/lib/env.ts): PROMETHEUS_BIN (default
// `prometheus` from PATH), PROMETHEUS_PORT (default 9090), PROMETHEUS_DATA_DIR (default
// .data/prometheus); ALERTMANAGER_BIN (default `prometheus-alertmanager`, Debian's name, else
// `alertmanager`), ALERTMANAGER_PORT (default 9093), ALERTMANAGER_DATA_DIR (default
// .data/alertmanager), ALERTMANAGER_WEBHOOK_URL (a webhook the on-call receiver delivers to; unset =
// alerts only in Alertmanager's UI).
// Derived configs (only when needed): ALERTMANAGER_WEBHOOK_URL set -> the shipped Alertmanager
// config plus that webhook; ALERTMANAGER_PORT not 9093 -> the shipped Prometheus config sending
// there. Both are written to the Alertmanager data folder (observe-*.yml).
// Exit codes: Prometheus's own (0 after Ctrl-C), the Alertmanager's when it stops first, 1 when
// no Prometheus is installed (with instructions), 2 a bad argument or setting (a port that is not
// one: the message names its key).
// package.json runs this file with tsx's loader in this one process (`node --import tsx`), as
// npm start: the signals reach this process, which passes them to both children.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALERTMANAGER_CONFIG,
  alertmanagerArgs,
  alertmanagerBinary,
  alertmanagerCandidates,
  alertmanagerConfigWithWebhook,
  DEFAULT_ALERTMANAGER_PORT,
  PROMETHEUS_CONFIG,
  prometheusConfigFor,
} from './alerting-local.js';
import { formatToolHelp, HELP_OPTION, parseToolArgs, runTool } from './lib/cli.js';
import { DATA_DIR, envInteger, envText, REPO_ROOT, type Env } from './lib/env.js';

const PROGRAM = 'observe';
const DEFAULT_PROMETHEUS_PORT = 9090;
const PORT_RANGE = { min: 1, max: 65_535 };

const HELP = formatToolHelp(
  'npm run observe',
  [
    'A local Prometheus scraping the platform that npm start runs (services on 127.0.0.1:3000-3005)',
    'with the alerting rules, and the Alertmanager it sends to when one is installed. Data under',
    '.data/prometheus and .data/alertmanager. Ctrl-C stops both. docs/observability.md says more.',
  ].join('\n'),
  HELP_OPTION,
  [
    'environment: PROMETHEUS_BIN (default prometheus), PROMETHEUS_PORT (9090), PROMETHEUS_DATA_DIR (.data/prometheus),',
    '             ALERTMANAGER_BIN (default prometheus-alertmanager, else alertmanager), ALERTMANAGER_PORT (9093),',
    '             ALERTMANAGER_DATA_DIR (.data/alertmanager), ALERTMANAGER_WEBHOOK_URL (the on-call receiver; unset: alerts in the UI only)',
    "exit codes:  Prometheus's own (0 after Ctrl-C), the Alertmanager's when it stops first, 1 no Prometheus installed,",
    '             2 bad argument or setting',
  ],
);

interface ObserveSettings {
  /** PROMETHEUS_BIN, or `prometheus` (looked up on PATH). */
  readonly prometheusBin: string;
  readonly prometheusPort: number;
  readonly prometheusDataDir: string;
  readonly alertmanagerPort: number;
  readonly alertmanagerDataDir: string;
  /** ALERTMANAGER_WEBHOOK_URL, or undefined: no receiver. */
  readonly webhookUrl?: string;
}

/** What `npm run observe` reads from its environment; a port that is not one is a UsageError naming its key. */
function readObserveSettings(env: Env = process.env): ObserveSettings {
  return {
    prometheusBin: envText(env, 'PROMETHEUS_BIN') ?? 'prometheus',
    prometheusPort: envInteger(env, 'PROMETHEUS_PORT', DEFAULT_PROMETHEUS_PORT, PORT_RANGE),
    prometheusDataDir: envText(env, 'PROMETHEUS_DATA_DIR') ?? join(DATA_DIR, 'prometheus'),
    alertmanagerPort: envInteger(env, 'ALERTMANAGER_PORT', DEFAULT_ALERTMANAGER_PORT, PORT_RANGE),
    alertmanagerDataDir: envText(env, 'ALERTMANAGER_DATA_DIR') ?? join(DATA_DIR, 'alertmanager'),
    webhookUrl: envText(env, 'ALERTMANAGER_WEBHOOK_URL'),
  };
}

const say = (message: string): void => console.log(`[observe] ${message}`);

async function main(argv: readonly string[]): Promise<number> {
  parseToolArgs(PROGRAM, argv, HELP_OPTION, { positionals: false, hint: 'see: npm run observe -- --help', help: HELP });
  const settings = readObserveSettings();
  const bin = settings.prometheusBin;
  const port = settings.prometheusPort;
  const { alertmanagerPort, alertmanagerDataDir, webhookUrl } = settings;

  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    console.error(`[observe] no Prometheus found (${bin}). Install one, then run npm run observe again:
  Debian/Ubuntu:  sudo apt-get install --no-install-recommends prometheus prometheus-alertmanager
  macOS:          brew install prometheus alertmanager
  Docker:         docker run --rm --network host -v "${join(REPO_ROOT, 'deploy', 'prometheus')}:/etc/prometheus" prom/prometheus --config.file=/etc/prometheus/prometheus.yml
(or set PROMETHEUS_BIN to its path)`);
    return 1;
  }

  let done!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));
  const children = new Set<ChildProcess>();
  let stopping = false;
  let exitCode = 0;
  function run(name: string, command: string, args: string[]): ChildProcess {
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
      if (children.size === 0) done(exitCode);
    });
    return child;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
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
    if (alertmanagerPort !== DEFAULT_ALERTMANAGER_PORT) {
      prometheusConfig = join(alertmanagerDataDir, 'observe-prometheus.yml');
      writeFileSync(prometheusConfig, prometheusConfigFor(readFileSync(PROMETHEUS_CONFIG, 'utf8'), { configFile: PROMETHEUS_CONFIG, alertmanagers: [`127.0.0.1:${alertmanagerPort}`] }));
    }
    say(`Alertmanager on http://127.0.0.1:${alertmanagerPort} (${alertmanager}, config ${config})`);
    say(webhookUrl ? 'alerts are delivered to ALERTMANAGER_WEBHOOK_URL (receiver platform-oncall)' : 'no receiver set (ALERTMANAGER_WEBHOOK_URL): alerts are listed in the Alertmanager UI only (docs/observability.md#alerting)');
    run('alertmanager', alertmanager, alertmanagerArgs({ configFile: config, dataDir: alertmanagerDataDir, port: alertmanagerPort }));
  } else {
    say(`no Alertmanager found (${alertmanagerCandidates().join(', ')}): running Prometheus alone, its alerts go nowhere. Install one, then run npm run observe again:
  Debian/Ubuntu:  sudo apt-get install --no-install-recommends prometheus-alertmanager
  macOS:          brew install alertmanager
(or set ALERTMANAGER_BIN to its path)`);
  }

  mkdirSync(settings.prometheusDataDir, { recursive: true });
  say(`Prometheus on http://127.0.0.1:${port}, scraping the six services on 127.0.0.1:3000-3005 (config ${prometheusConfig})`);
  say('Grafana: add a Prometheus data source with this URL, then import deploy/grafana/dashboards/*.json (docs/observability.md).');
  run('prometheus', bin, [`--config.file=${prometheusConfig}`, `--storage.tsdb.path=${settings.prometheusDataDir}`, `--web.listen-address=127.0.0.1:${port}`]);
  return finished;
}

await runTool(PROGRAM, () => main(process.argv.slice(2)));
