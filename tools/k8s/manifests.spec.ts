import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AnalyticsServiceConfig } from '../../apps/analytics/src/config.js';
import { InventoryServiceConfig } from '../../apps/inventory/src/config.js';
import { LoyaltyServiceConfig } from '../../apps/loyalty/src/config.js';
import { NotificationServiceConfig } from '../../apps/notification/src/config.js';
import { OrderServiceConfig } from '../../apps/order/src/config.js';
import { PaymentServiceConfig } from '../../apps/payment/src/config.js';

// Offline checks of the Kubernetes deployment (no cluster here): every overlay renders with
// `kubectl kustomize`, every object validates against the Kubernetes OpenAPI schema
// (kubernetes-models, pinned), and the platform's policies hold over the rendered output.

const root = new URL('../../', import.meta.url).pathname;
const OVERLAYS = ['local', 'production'] as const;
const SERVICES = {
  order: OrderServiceConfig,
  payment: PaymentServiceConfig,
  inventory: InventoryServiceConfig,
  notification: NotificationServiceConfig,
  analytics: AnalyticsServiceConfig,
  loyalty: LoyaltyServiceConfig,
} as const;
type ServiceName = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

function render(overlay: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', `deploy/k8s/overlays/${overlay}`], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('kubectl is not installed: these checks need kubectl with kustomize v5 (Debian’s kubernetes-client package is too old); see docs/deploy.md');
  }
  if (result.status !== 0) throw new Error(`kubectl kustomize deploy/k8s/overlays/${overlay} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((doc): doc is K8sObject => doc !== null);
}

const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(overlay)])) as Record<(typeof OVERLAYS)[number], K8sObject[]>;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet']);
const workloads = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
const podSpecOf = (o: K8sObject) => o.spec.template.spec;
const containersOf = (o: K8sObject): any[] => [...(podSpecOf(o).initContainers ?? []), ...podSpecOf(o).containers];
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const serviceDeployment = (objects: K8sObject[], service: ServiceName) => {
  const deployment = find(objects, 'Deployment', service);
  expect(deployment, `Deployment ${service}`).toBeDefined();
  return deployment!;
};

/** Env var names a container gets: `env` plus every key of the ConfigMaps and Secrets of `envFrom`. */
function envNamesOf(objects: K8sObject[], container: any): Set<string> {
  const names = new Set<string>((container.env ?? []).map((e: { name: string }) => e.name));
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const object = find(objects, kind, ref.name);
    expect(object, `${kind} ${ref.name} referenced by envFrom`).toBeDefined();
    for (const key of Object.keys(object!.data ?? {}).concat(Object.keys((object as any).stringData ?? {}))) names.add(key);
  }
  return names;
}

function envValueOf(objects: K8sObject[], container: any, name: string): string | undefined {
  const direct = (container.env ?? []).find((e: { name: string; value?: string }) => e.name === name);
  if (direct?.value !== undefined) return direct.value;
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) continue;
    const value = find(objects, 'ConfigMap', source.configMapRef.name)?.data?.[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

async function schemaProblems(object: K8sObject): Promise<string | undefined> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [undefined, object.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let models: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    models = (await import(modulePath)) as typeof models;
  } catch {
    return `${object.kind} ${object.metadata.name}: no schema for apiVersion ${object.apiVersion}`;
  }
  const Model = models[object.kind];
  if (!Model) return `${object.kind} ${object.metadata.name}: no schema for kind ${object.kind} in ${object.apiVersion}`;
  // kustomize wraps long base64 values over several lines, which the API server accepts (Go's
  // decoder skips newlines) but the schema's `format: byte` does not.
  const candidate = object.kind === 'Secret' && object.data ? { ...object, data: Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) } : object;
  try {
    new Model(candidate).validate();
    return undefined;
  } catch (error) {
    return `${object.kind} ${object.metadata.name}: ${(error as Error).message}`;
  }
}

describe.each(OVERLAYS)('deploy/k8s/overlays/%s', (overlay) => {
  const objects = rendered[overlay];

  it('renders the whole platform: six services, NATS, PostgreSQL, provisioning, Prometheus, Grafana', () => {
    for (const service of SERVICE_NAMES) {
      serviceDeployment(objects, service);
      expect(find(objects, 'Service', service), `Service ${service}`).toBeDefined();
    }
    expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort()).toEqual(['nats', 'postgres']);
    expect(objects.filter((o) => o.kind === 'Job').length).toBe(1);
    expect(find(objects, 'Deployment', 'prometheus')).toBeDefined();
    expect(find(objects, 'Deployment', 'grafana')).toBeDefined();
    expect(new Set(objects.map((o) => o.metadata.namespace ?? (o.kind === 'Namespace' ? o.metadata.name : undefined)))).toEqual(new Set(['jetstream-platform']));
  });

  it('validates every object against the Kubernetes OpenAPI schema', async () => {
    expect(objects.length).toBeGreaterThan(20);
    const problems = (await Promise.all(objects.map(schemaProblems))).filter(Boolean);
    expect(problems).toEqual([]);
  });

  it('gives every workload probes (long-running ones), requests and limits, and the hardened securityContext', () => {
    const list = workloads(objects);
    expect(list.length).toBeGreaterThanOrEqual(10);
    const problems: string[] = [];
    for (const workload of list) {
      const where = `${workload.kind} ${workload.metadata.name}`;
      const pod = podSpecOf(workload);
      const podSecurity = pod.securityContext ?? {};
      if (podSecurity.runAsNonRoot !== true) problems.push(`${where}: pod runAsNonRoot`);
      for (const container of containersOf(workload)) {
        const at = `${where}/${container.name}`;
        const security = container.securityContext ?? {};
        if (security.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem`);
        if (security.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation`);
        if (!(security.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities.drop ALL`);
        if ((security.seccompProfile ?? podSecurity.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${at}: seccomp RuntimeDefault`);
        for (const kind of ['requests', 'limits']) {
          for (const resource of ['cpu', 'memory']) if (!container.resources?.[kind]?.[resource]) problems.push(`${at}: resources.${kind}.${resource}`);
        }
        const image = String(container.image);
        if (!/:[^/:]+$/.test(image) || image.endsWith(':latest')) problems.push(`${at}: image ${image} without a fixed tag`);
        const isInit = (pod.initContainers ?? []).includes(container);
        if (workload.kind !== 'Job' && !isInit) {
          if (!container.livenessProbe) problems.push(`${at}: livenessProbe`);
          if (!container.readinessProbe) problems.push(`${at}: readinessProbe`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('probes the services on /health/live and /health/ready of their configured port, and outlasts their drain on shutdown', () => {
    for (const service of SERVICE_NAMES) {
      const deployment = serviceDeployment(objects, service);
      const port = new SERVICES[service]().PORT;
      const container = podSpecOf(deployment).containers[0];
      expect(container.livenessProbe.httpGet, service).toMatchObject({ path: '/health/live' });
      expect(container.readinessProbe.httpGet, service).toMatchObject({ path: '/health/ready' });
      const probePort = container.readinessProbe.httpGet.port;
      const named = (container.ports ?? []).find((p: { name?: string }) => p.name === probePort);
      expect(typeof probePort === 'number' ? probePort : named?.containerPort, service).toBe(port);
      expect(envValueOf(objects, container, 'PORT'), service).toBe(String(port));
      const svc = find(objects, 'Service', service)!;
      expect(svc.spec.ports.map((p: { port: number }) => p.port), service).toContain(port);
      const drainSeconds = Number(envValueOf(objects, container, 'SHUTDOWN_TIMEOUT_MS') ?? new SERVICES[service]().SHUTDOWN_TIMEOUT_MS) / 1000;
      expect(podSpecOf(deployment).terminationGracePeriodSeconds, service).toBeGreaterThan(drainSeconds);
    }
  });

  // NATS credentials and TLS files: unset = anonymous, plain TCP (the NATS of these manifests has no
  // users); a deployment with an authenticated NATS sets them from its own Secret.
  const UNSET_MEANS_OFF = new Set(['NATS_CREDS', 'NATS_NKEY_SEED_FILE', 'NATS_USER', 'NATS_PASSWORD', 'NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY']);

  it('sets every environment variable each service reads at boot', () => {
    for (const service of SERVICE_NAMES) {
      const container = podSpecOf(serviceDeployment(objects, service)).containers[0];
      const expected = [...Object.keys(new SERVICES[service]()).filter((key) => !UNSET_MEANS_OFF.has(key)), 'DATABASE_URL'].sort();
      expect(expected.length).toBeGreaterThan(8);
      const names = envNamesOf(objects, container);
      expect(
        expected.filter((key) => !names.has(key)),
        service,
      ).toEqual([]);
    }
  });

  it('has a PodDisruptionBudget for every Deployment running 2 or more replicas', () => {
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    const replicated = objects.filter((o) => o.kind === 'Deployment' && (o.spec.replicas ?? 1) >= 2);
    if (overlay === 'production') expect(replicated.length).toBeGreaterThanOrEqual(6);
    const uncovered = replicated.filter((deployment) => {
      const labels = deployment.spec.template.metadata.labels ?? {};
      return !pdbs.some((pdb) => Object.entries(pdb.spec.selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
    });
    expect(uncovered.map((d) => d.metadata.name)).toEqual([]);
  });

  it('denies all traffic by default and allows what the platform needs', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const defaultDeny = policies.filter(
      (p) =>
        Object.keys(p.spec.podSelector ?? {}).length === 0 &&
        ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes ?? []).includes(t)) &&
        !(p.spec.ingress?.length > 0) &&
        !(p.spec.egress?.length > 0),
    );
    expect(defaultDeny.length).toBe(1);
    const allowsPort = (port: number) => policies.some((p) => JSON.stringify([p.spec.ingress, p.spec.egress]).includes(`"port":${port}`));
    for (const port of [4222, 5432, 3000, 9090]) expect(allowsPort(port), `a policy allows port ${port}`).toBe(true);
  });

  it('provisions the dashboards and alerting rules from the very files under deploy/ (no copies)', () => {
    const dashboards = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('grafana-dashboards'));
    expect(dashboards, 'grafana-dashboards ConfigMap').toBeDefined();
    for (const file of ['order-flow.json', 'event-bus.json', 'service-health.json']) {
      expect(dashboards!.data?.[file], file).toBe(readFileSync(`${root}deploy/grafana/dashboards/${file}`, 'utf8'));
    }
    const rules = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('prometheus-rules'));
    expect(rules?.data?.['platform.rules.yml']).toBe(readFileSync(`${root}deploy/prometheus/rules/platform.rules.yml`, 'utf8'));
  });

  it(overlay === 'production' ? 'runs 3 NATS nodes with streams at 3 replicas, 2+ replicas and an autoscaler per service' : 'runs one of everything, streams at 1 replica', () => {
    const nats = find(objects, 'StatefulSet', 'nats')!;
    const job = objects.find((o) => o.kind === 'Job')!;
    const streamReplicas = envValueOf(objects, podSpecOf(job).containers[0], 'STREAM_REPLICAS');
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    if (overlay === 'production') {
      expect(nats.spec.replicas).toBe(3);
      expect(streamReplicas).toBe('3');
      for (const service of SERVICE_NAMES) {
        expect(serviceDeployment(objects, service).spec.replicas, service).toBeGreaterThanOrEqual(2);
        expect(hpas.find((h) => h.spec.scaleTargetRef.name === service)?.spec.minReplicas, `HPA ${service}`).toBeGreaterThanOrEqual(2);
      }
    } else {
      expect(nats.spec.replicas).toBe(1);
      expect(streamReplicas).toBe('1');
      for (const service of SERVICE_NAMES) expect(serviceDeployment(objects, service).spec.replicas ?? 1, service).toBe(1);
    }
  });
});
