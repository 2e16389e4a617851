// The local alerting path (used by tools/observe.ts and tools/alertmanager.int.spec.ts): which
// Alertmanager binary to run, its arguments, and the two configs derived from the shipped ones
// when they cannot be used as is (a webhook to deliver to, an Alertmanager on another port).
// The shipped files stay the source: deploy/alertmanager/alertmanager.yml and
// deploy/prometheus/prometheus.yml.
import { spawnSync } from 'node:child_process';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { envText, REPO_ROOT, type Env } from './lib/env.js';

export const ALERTMANAGER_CONFIG = resolve(REPO_ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');
export const PROMETHEUS_CONFIG = resolve(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml');
/** The receiver every route of the shipped config delivers to (the one to give an integration). */
export const ONCALL_RECEIVER = 'platform-oncall';
export const DEFAULT_ALERTMANAGER_PORT = 9093;

/** The Alertmanager candidates: ALERTMANAGER_BIN, else Debian's `prometheus-alertmanager`, else `alertmanager`. */
export function alertmanagerCandidates(env: Env = process.env): string[] {
  const bin = envText(env, 'ALERTMANAGER_BIN');
  return bin ? [bin] : ['prometheus-alertmanager', 'alertmanager'];
}

/** The Alertmanager to run: the first of {@link alertmanagerCandidates} that answers --version; undefined when none does. */
export function alertmanagerBinary(env: Env = process.env): string | undefined {
  return alertmanagerCandidates(env).find((bin) => {
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    return !probe.error && probe.status === 0;
  });
}

/**
 * Arguments of an Alertmanager on 127.0.0.1:`port` only: the cluster (gossip, default :9094) is
 * off, so nothing else listens.
 */
export function alertmanagerArgs({ configFile, dataDir, port }: { configFile: string; dataDir: string; port: number | string }): string[] {
  return [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=http://127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ];
}

interface AlertmanagerConfig {
  receivers?: Array<{ name: string; webhook_configs?: Array<{ url: string; send_resolved: boolean }> }>;
  [key: string]: unknown;
}

interface PrometheusConfig {
  rule_files?: string[];
  alerting?: unknown;
  [key: string]: unknown;
}

/**
 * The shipped Alertmanager config (text) with a webhook (`url`, resolved notifications too) given
 * to the on-call receiver, as a JSON document (valid YAML). Routing and inhibition stay as shipped.
 */
export function alertmanagerConfigWithWebhook(configText: string, url: string): string {
  const config = parse(configText) as AlertmanagerConfig;
  const receiver = (config.receivers ?? []).find((r) => r.name === ONCALL_RECEIVER);
  if (!receiver) throw new Error(`the Alertmanager config has no receiver ${ONCALL_RECEIVER}`);
  receiver.webhook_configs = [{ url, send_resolved: true }];
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The shipped Prometheus config (text, read from `configFile`) sending to the Alertmanagers
 * `targets` instead, with its rule files made absolute (the copy lives elsewhere), as JSON.
 */
export function prometheusConfigFor(configText: string, { configFile, alertmanagers }: { configFile: string; alertmanagers: string[] }): string {
  const config = parse(configText) as PrometheusConfig;
  config.rule_files = (config.rule_files ?? []).map((file) => (isAbsolute(file) ? file : resolve(dirname(configFile), file)));
  config.alerting = { alertmanagers: [{ static_configs: [{ targets: alertmanagers }] }] };
  return `${JSON.stringify(config, null, 2)}\n`;
}
