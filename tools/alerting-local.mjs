// The local alerting path (used by tools/observe.mjs and tools/alertmanager.int.spec.ts): which
// Alertmanager binary to run, its arguments, and the two configs derived from the shipped ones
// when they cannot be used as is (a webhook to deliver to, an Alertmanager on another port).
// The shipped files stay the source: deploy/alertmanager/alertmanager.yml and
// deploy/prometheus/prometheus.yml.
import { spawnSync } from 'node:child_process';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ALERTMANAGER_CONFIG = resolve(root, 'deploy', 'alertmanager', 'alertmanager.yml');
export const PROMETHEUS_CONFIG = resolve(root, 'deploy', 'prometheus', 'prometheus.yml');
/** The receiver every route of the shipped config delivers to (the one to give an integration). */
export const ONCALL_RECEIVER = 'platform-oncall';
export const DEFAULT_ALERTMANAGER_PORT = 9093;

/** The Alertmanager to run: ALERTMANAGER_BIN, else Debian's `prometheus-alertmanager`, else `alertmanager`; undefined when none answers --version. */
export function alertmanagerBinary(env = process.env) {
  const candidates = env.ALERTMANAGER_BIN ? [env.ALERTMANAGER_BIN] : ['prometheus-alertmanager', 'alertmanager'];
  return candidates.find((bin) => {
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    return !probe.error && probe.status === 0;
  });
}

/**
 * Arguments of an Alertmanager on 127.0.0.1:`port` only: the cluster (gossip, default :9094) is
 * off, so nothing else listens.
 */
export function alertmanagerArgs({ configFile, dataDir, port }) {
  return [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=http://127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ];
}

/**
 * The shipped Alertmanager config (text) with a webhook (`url`, resolved notifications too) given
 * to the on-call receiver, as a JSON document (valid YAML). Routing and inhibition stay as shipped.
 */
export function alertmanagerConfigWithWebhook(configText, url) {
  const config = parse(configText);
  const receiver = (config.receivers ?? []).find((r) => r.name === ONCALL_RECEIVER);
  if (!receiver) throw new Error(`the Alertmanager config has no receiver ${ONCALL_RECEIVER}`);
  receiver.webhook_configs = [{ url, send_resolved: true }];
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The shipped Prometheus config (text, read from `configFile`) sending to the Alertmanagers
 * `targets` instead, with its rule files made absolute (the copy lives elsewhere), as JSON.
 */
export function prometheusConfigFor(configText, { configFile, alertmanagers }) {
  const config = parse(configText);
  config.rule_files = (config.rule_files ?? []).map((file) => (isAbsolute(file) ? file : resolve(dirname(configFile), file)));
  config.alerting = { alertmanagers: [{ static_configs: [{ targets: alertmanagers }] }] };
  return `${JSON.stringify(config, null, 2)}\n`;
}
