import { OperationError, parseVerbArgs, stringOption, takePositionals, UsageError } from '../args.js';
import { duration, table } from '../output.js';
import { loadEvents } from '../../lib/libraries.js';
import type { Verb } from '../verb.js';

/** The platform's services as `npm start` runs them: on 127.0.0.1, ports 3000… in their order (README). */
async function localServices(): Promise<string> {
  const { PlatformService } = await loadEvents();
  return Object.values(PlatformService)
    .map((name, i) => `${name}=http://127.0.0.1:${3000 + i}`)
    .join(',');
}
/** The outbox-stuck alert's threshold (deploy/prometheus/rules/platform.rules.yml, PlatformOutboxStuck). */
const STUCK_AFTER_S = 60;
const FETCH_TIMEOUT_MS = 3000;

export interface OutboxRow {
  readonly service: string;
  readonly url: string;
  /** Undefined when the replica could not be read. */
  readonly leader?: boolean;
  /** The leader's figures; undefined on a replica that does not lead the relay. */
  readonly pendingRows?: number;
  readonly oldestAgeSeconds?: number;
  readonly status: 'ok' | 'STUCK' | 'no leader here' | 'unreachable';
  readonly error?: string;
}

function parseTargets(raw: string): Array<{ service: string; url: string }> {
  return raw.split(',').map((pair) => {
    const at = pair.indexOf('=');
    const service = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (at < 1 || !/^[a-z][a-z0-9-]*$/.test(service) || !/^https?:\/\/\S+$/.test(url)) {
      throw new UsageError(`outbox status: --services takes name=http://host:port pairs separated by commas, got "${pair}"`);
    }
    return { service, url: url.replace(/\/+$/, '') };
  });
}

/** The value of an unlabelled (or service-labelled) gauge in Prometheus text format. */
function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l === name || l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) return undefined;
  const value = Number(line.slice(line.lastIndexOf(' ') + 1));
  return Number.isFinite(value) ? value : undefined;
}

async function readReplica(target: { service: string; url: string }): Promise<OutboxRow> {
  let text: string;
  try {
    const response = await fetch(`${target.url}/metrics`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
    text = await response.text();
  } catch (error) {
    return { ...target, status: 'unreachable', error: (error as Error).message };
  }
  const leader = gauge(text, 'events_outbox_relay_leader');
  if (leader === undefined) return { ...target, status: 'unreachable', error: 'no events_outbox_relay_leader metric: not a platform service?' };
  if (leader !== 1) return { ...target, leader: false, status: 'no leader here' };
  const pendingRows = gauge(text, 'events_outbox_pending_rows') ?? 0;
  const oldestAgeSeconds = gauge(text, 'events_outbox_relay_lag_seconds') ?? 0;
  return { ...target, leader: true, pendingRows, oldestAgeSeconds, status: oldestAgeSeconds > STUCK_AFTER_S ? 'STUCK' : 'ok' };
}

export const outbox: Verb = {
  name: 'outbox',
  summary: "each service's outbox: relay leader, unpublished rows, age of the oldest (from the services' /metrics)",
  usage: 'outbox status [--services <name>=<url>,...] [--json]',
  options: {
    services: { type: 'string', value: '<name>=<url>,...', description: 'the service replicas to read (default the six of npm start: order=http://127.0.0.1:3000, payment=…:3001, … loyalty=…:3005)' },
  },
  notes: [
    'Reads the gauges the relay keeps (events_outbox_relay_leader, events_outbox_pending_rows, events_outbox_relay_lag_seconds), so it works',
    'with PostgreSQL and PGlite alike, while the services run. Only the replica leading a service\'s relay reports its backlog: in Kubernetes,',
    'port-forward to each pod (a Service reaches any replica). STUCK: the oldest unpublished row is older than 60 s (the PlatformOutboxStuck alert).',
    'Exit codes: 0 every replica read, 1 one or more unreachable, 2 bad arguments.',
  ],
  async run({ argv, print }) {
    const { values, positionals } = parseVerbArgs('outbox', argv, this.options);
    const [action] = takePositionals('outbox', positionals, ['status']);
    if (action !== 'status') throw new UsageError(`outbox: unknown action "${action}" (known: status)`, [`usage: npm run platform -- ${this.usage}`]);
    const targets = parseTargets(stringOption(values, 'services') ?? (await localServices()));
    const rows = await Promise.all(targets.map(readReplica));
    if (values['json']) print(JSON.stringify(rows, null, 2));
    else {
      print(
        table(rows, [
          { header: 'SERVICE', value: (r) => r.service },
          { header: 'URL', value: (r) => r.url },
          { header: 'LEADER', value: (r) => (r.leader === undefined ? '?' : r.leader ? 'yes' : 'no') },
          { header: 'PENDING', value: (r) => r.pendingRows, align: 'right' },
          { header: 'OLDEST', value: (r) => (r.oldestAgeSeconds === undefined ? undefined : duration(r.oldestAgeSeconds * 1000)), align: 'right' },
          { header: 'STATUS', value: (r) => (r.error ? `${r.status}: ${r.error}` : r.status) },
        ]),
      );
    }
    const unreachable = rows.filter((r) => r.status === 'unreachable');
    if (unreachable.length > 0) throw new OperationError(`outbox status: ${unreachable.map((r) => r.service).join(', ')} could not be read`);
  },
};
