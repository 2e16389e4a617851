import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AnalyticsServiceConfig } from '../../apps/analytics/src/config.js';
import { InventoryServiceConfig } from '../../apps/inventory/src/config.js';
import { LoyaltyServiceConfig } from '../../apps/loyalty/src/config.js';
import { NotificationServiceConfig } from '../../apps/notification/src/config.js';
import { OrderServiceConfig } from '../../apps/order/src/config.js';
import { PaymentServiceConfig } from '../../apps/payment/src/config.js';
import { platformSecrets } from '../k8s-secrets.mjs';

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
  return renderDir(`deploy/k8s/overlays/${overlay}`);
}

function renderDir(dir: string): K8sObject[] {
  const overlay = dir;
  const result = spawnSync('kubectl', ['kustomize', dir], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('kubectl is not installed: these checks need kubectl with kustomize v5 (Debian’s kubernetes-client package is too old); see docs/deploy.md');
  }
  if (result.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((doc): doc is K8sObject => doc !== null);
}

const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(overlay)])) as Record<(typeof OVERLAYS)[number], K8sObject[]>;

// The Secrets `npm run k8s:secrets` generates (tools/k8s-secrets.mjs), in a throw-away state folder.
const secretsStateDir = mkdtempSync(join(tmpdir(), 'k8s-secrets-'));
const generatedSecrets = await platformSecrets({ stateDir: secretsStateDir });
afterAll(() => rmSync(secretsStateDir, { recursive: true, force: true }));

/** Secrets a workload reads: name -> keys (undefined = every key, e.g. a whole-Secret volume). */
function secretReferences(workload: K8sObject): Map<string, Set<string> | undefined> {
  const refs = new Map<string, Set<string> | undefined>();
  const add = (name: string, key?: string) => {
    if (!refs.has(name)) refs.set(name, key === undefined ? undefined : new Set());
    if (key === undefined) refs.set(name, undefined);
    else refs.get(name)?.add(key);
  };
  const pod = podSpecOf(workload);
  for (const container of containersOf(workload)) {
    for (const entry of container.env ?? []) if (entry.valueFrom?.secretKeyRef) add(entry.valueFrom.secretKeyRef.name, entry.valueFrom.secretKeyRef.key);
    for (const source of container.envFrom ?? []) if (source.secretRef) add(source.secretRef.name);
  }
  for (const volume of pod.volumes ?? []) {
    const secrets = [volume.secret && { name: volume.secret.secretName, items: volume.secret.items }, ...(volume.projected?.sources ?? []).map((s: any) => s.secret)].filter(Boolean);
    for (const secret of secrets) {
      if (secret.items?.length) for (const item of secret.items) add(secret.name, item.key);
      else add(secret.name);
    }
  }
  return refs;
}

const PLACEHOLDER = /\b(?:change-?me|replace-?me|placeholder|password123|secret123)\b/i;
/**
 * What would commit a secret into the manifests: a Secret carrying data (the platform's Secrets are
 * generated, never rendered), a placeholder value, a URL with an inline password, a literal
 * password-like env value.
 */
function committedSecretProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata.name}`;
    if (o.kind === 'Secret' && (Object.keys(o.data ?? {}).length > 0 || Object.keys((o as any).stringData ?? {}).length > 0)) {
      problems.push(`${where}: a Secret with values in the manifests (generate it: npm run k8s:secrets)`);
    }
    const walk = (value: unknown, path: string) => {
      if (typeof value === 'string') {
        if (PLACEHOLDER.test(value)) problems.push(`${where} ${path}: placeholder value`);
        if (/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s/]+@/i.test(value)) problems.push(`${where} ${path}: a URL with an inline password`);
      } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    };
    const decoded = Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    walk(o.kind === 'Secret' ? { data: decoded, stringData: (o as any).stringData } : o, '');
    if (WORKLOAD_KINDS.has(o.kind)) {
      for (const container of containersOf(o)) {
        for (const entry of container.env ?? []) {
          if (/PASSWORD|SECRET|TOKEN_KEYS/.test(entry.name) && entry.value !== undefined) problems.push(`${where}/${container.name}: ${entry.name} has a literal value`);
        }
      }
    }
  }
  return problems;
}

/** The `name { ... }` block of a NATS config (its first occurrence after `from`), or undefined. */
function natsBlock(config: string, name: string, from = 0): string | undefined {
  const match = new RegExp(`^\\s*${name}\\s*[:=]?\\s*\\{`, 'm').exec(config.slice(from));
  if (!match) return undefined;
  const start = from + match.index + match[0].length;
  let depth = 1;
  for (let i = start; i < config.length; i++) {
    if (config[i] === '{') depth++;
    else if (config[i] === '}' && --depth === 0) return config.slice(start, i);
  }
  return undefined;
}
const withoutComments = (config: string) => config.replace(/#.*$/gm, '');

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
  // kubernetes-models has no cert-manager schemas: check what the platform relies on.
  if (object.apiVersion === 'cert-manager.io/v1') return certManagerProblems(object);
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

function certManagerProblems(object: K8sObject): string | undefined {
  const where = `${object.kind} ${object.metadata.name}`;
  if (object.kind === 'Issuer' || object.kind === 'ClusterIssuer') {
    const kinds = ['selfSigned', 'ca', 'acme', 'vault', 'venafi'].filter((k) => object.spec?.[k] !== undefined);
    return kinds.length === 1 && (!object.spec.ca || object.spec.ca.secretName) ? undefined : `${where}: exactly one issuer type (and ca.secretName)`;
  }
  if (object.kind === 'Certificate') {
    const spec = object.spec ?? {};
    if (!spec.secretName || !spec.issuerRef?.name) return `${where}: secretName and issuerRef.name`;
    if (!spec.isCA && !(spec.dnsNames?.length > 0)) return `${where}: dnsNames`;
    if (spec.usages && !spec.usages.every((u: string) => ['server auth', 'client auth', 'digital signature', 'key encipherment', 'cert sign'].includes(u))) return `${where}: usages`;
    return undefined;
  }
  return `${where}: no check for cert-manager kind ${object.kind}`;
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

  // NATS credentials and TLS files other than the NKey seed every service must have (its own
  // identity; checked below): unset = not used; NATS_TLS_CA is checked for production below.
  // AUTH_PUBLIC_KEY_FILE: the development alternative of AUTH_JWKS_URL (exactly one is set).
  // OTEL_EXPORTER_OTLP_ENDPOINT: unset = no span export (set it to your collector, docs/observability.md#traces);
  // OTEL_SERVICE_NAME: unset = the service's name.
  const UNSET_MEANS_OFF = new Set([
    'NATS_CREDS',
    'NATS_USER',
    'NATS_PASSWORD',
    'NATS_TLS_CA',
    'NATS_TLS_CERT',
    'NATS_TLS_KEY',
    'AUTH_PUBLIC_KEY_FILE',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_SERVICE_NAME',
  ]);

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

  it('gives the card-token sealing key (Secret payment-token-key) to order and payment only, and commits no key', () => {
    const readers = workloads(objects)
      .filter((workload) => JSON.stringify(podSpecOf(workload)).includes('"payment-token-key"'))
      .map((workload) => workload.metadata.name);
    expect(readers.sort()).toEqual(['order', 'payment']);
    for (const service of ['order', 'payment'] as const) {
      const container = podSpecOf(serviceDeployment(objects, service)).containers[0];
      const entry = (container.env ?? []).find((e: { name: string }) => e.name === 'PAYMENT_TOKEN_KEYS');
      expect(entry, service).toEqual({ name: 'PAYMENT_TOKEN_KEYS', valueFrom: { secretKeyRef: { name: 'payment-token-key', key: 'PAYMENT_TOKEN_KEYS' } } });
    }
    // Created out of band (deploy/k8s/README.md): no manifest holds the Secret or a key value.
    expect(objects.filter((o) => o.metadata.name.startsWith('payment-token-key'))).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/PAYMENT_TOKEN_KEYS=|"PAYMENT_TOKEN_KEYS":"/);
  });

  it('commits no secret: no Secret with values, no placeholder, no inline password', () => {
    expect(committedSecretProblems(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });

  it('reads only Secrets that npm run k8s:secrets generates (with the keys read) or cert-manager issues', () => {
    const issued = new Set(objects.filter((o) => o.kind === 'Certificate').map((o) => o.spec.secretName as string));
    const problems: string[] = [];
    for (const workload of workloads(objects)) {
      for (const [name, keys] of secretReferences(workload)) {
        const where = `${workload.kind} ${workload.metadata.name}: Secret ${name}`;
        if (issued.has(name)) {
          for (const key of keys ?? []) if (!['tls.crt', 'tls.key', 'ca.crt'].includes(key)) problems.push(`${where}: key ${key} is not issued`);
          continue;
        }
        const generated = generatedSecrets[name];
        if (!generated) problems.push(`${where}: not generated by npm run k8s:secrets`);
        else for (const key of keys ?? []) if (!(key in generated)) problems.push(`${where}: key ${key} not generated`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives each service only its own NATS identity (NATS_NKEY_SEED_FILE from Secret nats-<service>), the Job the provisioner', () => {
    const identityOwners = (o: K8sObject) => [...secretReferences(o).keys()].filter((name) => /^nats-/.test(name) && name in generatedSecrets && name !== 'nats-auth');
    const seedPath = (o: K8sObject, secret: string) => {
      const container = podSpecOf(o).containers[0];
      const file = envValueOf(objects, container, 'NATS_NKEY_SEED_FILE');
      expect(file, `${o.metadata.name} NATS_NKEY_SEED_FILE`).toBeDefined();
      const volume = (podSpecOf(o).volumes ?? []).find((v: any) => v.secret?.secretName === secret);
      const mount = (container.volumeMounts ?? []).find((m: any) => m.name === volume?.name);
      expect(mount, `${o.metadata.name} mounts ${secret}`).toBeDefined();
      expect(file, o.metadata.name).toBe(`${mount.mountPath}/seed.nk`);
    };
    for (const service of SERVICE_NAMES) {
      const deployment = serviceDeployment(objects, service);
      expect(identityOwners(deployment), service).toEqual([`nats-${service}`]);
      seedPath(deployment, `nats-${service}`);
    }
    const job = find(objects, 'Job', 'provision-topology')!;
    expect(identityOwners(job)).toEqual(['nats-provisioner']);
    seedPath(job, 'nats-provisioner');
    // The operator's seed is for people (operator tools), no workload mounts it.
    expect(workloads(objects).filter((o) => secretReferences(o).has('nats-operator')).map((o) => o.metadata.name)).toEqual([]);
    expect(Object.keys(generatedSecrets['nats-auth']!)).toEqual(['auth.conf']);
    expect(generatedSecrets['nats-auth']!['auth.conf']).not.toMatch(/\bSU[A-Z2-7]{20,}|password/);
  });

  it(
    overlay === 'production'
      ? 'runs NATS without anonymous access (auth.conf from Secret nats-auth) and with TLS on client connections and routes'
      : 'runs NATS without anonymous access (auth.conf from Secret nats-auth)',
    () => {
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('nats-config'))!;
      const config = withoutComments(configMap.data!['nats.conf']!);
      expect(config).not.toMatch(/no_auth_user|authorization\s*[:=]?\s*\{|\bpassword\b|\btoken\b/);
      expect(config).toMatch(/^\s*include\s+"?\.\/auth\.conf"?\s*$/m);
      const nats = find(objects, 'StatefulSet', 'nats')!;
      const container = podSpecOf(nats).containers.find((c: any) => c.name === 'nats');
      const configDir = container.volumeMounts.find((m: any) => m.mountPath === '/etc/nats-config');
      expect(container.command.join(' ')).toContain('/etc/nats-config/nats.conf');
      const volume = podSpecOf(nats).volumes.find((v: any) => v.name === configDir.name);
      const sources = volume.projected.sources;
      expect(sources.find((s: any) => s.configMap)?.configMap.name).toBe(configMap.metadata.name);
      expect(sources.find((s: any) => s.secret)?.secret).toEqual({ name: 'nats-auth', items: [{ key: 'auth.conf', path: 'auth.conf' }] });
      const tls = natsBlock(config, 'tls');
      const cluster = natsBlock(config, 'cluster');
      if (overlay !== 'production') {
        expect(cluster).toBeUndefined();
        return;
      }
      // Clients: a top-level tls block (before the cluster block), with a certificate and key.
      expect(tls, 'tls {} for clients').toBeDefined();
      expect(config.indexOf('tls')).toBeLessThan(config.indexOf('cluster'));
      expect(tls).toMatch(/cert_file:\s*\S+/);
      expect(tls).toMatch(/key_file:\s*\S+/);
      // Routes: cluster { tls { ... verify } }.
      const routesTls = natsBlock(cluster!, 'tls');
      expect(routesTls, 'cluster { tls {} } for routes').toBeDefined();
      expect(routesTls).toMatch(/cert_file:\s*\S+/);
      expect(routesTls).toMatch(/verify:\s*true/);
      // The files the config names are mounted from the cert-manager Secrets.
      const mounts = container.volumeMounts as Array<{ name: string; mountPath: string }>;
      const volumes = podSpecOf(nats).volumes as Array<{ name: string; secret?: { secretName: string } }>;
      for (const [block, secret] of [[tls!, 'nats-server-tls'], [routesTls!, 'nats-routes-tls']] as const) {
        const file = /cert_file:\s*(\S+)/.exec(block)![1]!;
        const mount = mounts.find((m) => file.startsWith(`${m.mountPath}/`));
        expect(volumes.find((v) => v.name === mount?.name)?.secret?.secretName, file).toBe(secret);
      }
      const certificates = objects.filter((o) => o.kind === 'Certificate');
      const server = certificates.find((c) => c.spec.secretName === 'nats-server-tls')!;
      expect(server.spec.dnsNames).toEqual(expect.arrayContaining(['nats', 'nats.jetstream-platform.svc', '*.nats-headless']));
      const routes = certificates.find((c) => c.spec.secretName === 'nats-routes-tls')!;
      expect(routes.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
      // Clients dial tls:// and verify the server against the CA certificate.
      for (const workload of [...SERVICE_NAMES.map((s) => serviceDeployment(objects, s)), find(objects, 'Job', 'provision-topology')!]) {
        const client = podSpecOf(workload).containers[0];
        expect(envValueOf(objects, client, 'NATS_URL'), workload.metadata.name).toMatch(/^tls:\/\//);
        const ca = envValueOf(objects, client, 'NATS_TLS_CA');
        const mount = (client.volumeMounts ?? []).find((m: any) => ca?.startsWith(`${m.mountPath}/`));
        const caVolume = (podSpecOf(workload).volumes ?? []).find((v: any) => v.name === mount?.name);
        expect(caVolume?.secret?.items, workload.metadata.name).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
      }
    },
  );

  it('keeps /metrics off the Ingress, and Prometheus scraping it inside the cluster', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) {
      for (const rule of ingress.spec.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          const reaches = (target: string) => (path.pathType === 'Exact' ? path.path === target : target === path.path || target.startsWith(path.path.endsWith('/') ? path.path : `${path.path}/`));
          for (const internal of ['/metrics', '/health/live', '/health/ready']) expect(reaches(internal), `${ingress.metadata.name} ${path.path} reaches ${internal}`).toBe(false);
        }
      }
      expect(ingress.spec.defaultBackend, ingress.metadata.name).toBeUndefined();
    }
    for (const service of SERVICE_NAMES) {
      const annotations = serviceDeployment(objects, service).spec.template.metadata.annotations ?? {};
      expect(annotations, service).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics', 'prometheus.io/port': String(new SERVICES[service]().PORT) });
    }
  });

  it("fits every service process's PostgreSQL connections (DB_POOL_SIZE + 2 each, at the autoscalers' maximum) in max_connections", () => {
    const postgres = find(objects, 'StatefulSet', 'postgres')!;
    const args: string[] = podSpecOf(postgres).containers[0].args ?? [];
    const setting = args.map((arg) => /^max_connections=(\d+)$/.exec(arg)).find(Boolean);
    expect(setting, 'postgres args -c max_connections=N').toBeDefined();
    const maxConnections = Number(setting![1]);
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    let budget = 3; // superuser_reserved_connections
    for (const service of SERVICE_NAMES) {
      const deployment = serviceDeployment(objects, service);
      const replicas = hpas.find((h) => h.spec.scaleTargetRef.name === service)?.spec.maxReplicas ?? deployment.spec.replicas ?? 1;
      const poolSize = Number(envValueOf(objects, podSpecOf(deployment).containers[0], 'DB_POOL_SIZE'));
      expect(poolSize, `${service} DB_POOL_SIZE`).toBeGreaterThan(0);
      budget += replicas * (poolSize + 2);
    }
    expect(budget, `connections needed vs max_connections=${maxConnections}`).toBeLessThanOrEqual(maxConnections);
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

describe('the secret check', () => {
  it('fails a render of the production overlay with placeholder Secrets injected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-placeholder-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          `  - ${relative(dir, join(root, 'deploy/k8s/overlays/production'))}`,
          'secretGenerator:',
          '  - name: postgres-admin',
          '    namespace: jetstream-platform',
          '    literals:',
          '      - POSTGRES_PASSWORD=change-me-postgres-admin',
          '  - name: order-db',
          '    namespace: jetstream-platform',
          '    literals:',
          '      - PASSWORD=change-me-order',
          '      - DATABASE_URL=postgres://order:change-me-order@postgres:5432/order',
          '',
        ].join('\n'),
      );
      const problems = committedSecretProblems(renderDir(dir));
      expect(problems.join('\n')).toMatch(/Secret postgres-admin-\S+: a Secret with values/);
      expect(problems.join('\n')).toMatch(/placeholder value/);
      expect(problems.join('\n')).toMatch(/inline password/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the Secrets npm run k8s:secrets generates: no placeholder, every value random', () => {
    const values = Object.values(generatedSecrets).flatMap((data) => Object.values(data));
    expect(values.filter((value) => PLACEHOLDER.test(value))).toEqual([]);
    const passwords = Object.entries(generatedSecrets).flatMap(([, data]) => Object.entries(data).filter(([key]) => /PASSWORD/.test(key)).map(([, v]) => v));
    expect(passwords.length).toBeGreaterThanOrEqual(8);
    for (const password of passwords) expect(password.length, 'password length').toBeGreaterThanOrEqual(24);
  });
});
