import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformTopology, type PlatformTopologyOptions } from '@platform/contracts';
import { freePort, startTestNatsServer, type TestNatsServer } from '@platform/events/testing';
import { platformNatsClient, platformNatsIdentitySet, provisionAsProvisioner, type PlatformTestNats } from './platform-nats.js';

/** One nats-server of a {@link PlatformTestNatsCluster}. */
export interface TestNatsClusterNode extends TestNatsServer {
  /** Its `server_name` (`n0`, `n1`, …): what stream info's `cluster.leader` and `replicas` name. */
  readonly name: string;
  readonly index: number;
  /** Its monitoring endpoint (`/jsz`, `/healthz`), `http://127.0.0.1:<port>`. */
  readonly monitorUrl: string;
  readonly clusterPort: number;
  /** True while its process runs. */
  readonly running: boolean;
}

/** This node's own copy of a stream (from its `/jsz`), whether it leads the stream or follows. */
export interface StreamReplicaState {
  readonly node: string;
  readonly messages: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The stream's leader as this node sees it. */
  readonly leader?: string;
}

/**
 * A JetStream cluster of nats-servers on loopback with the platform topology provisioned at
 * `replicas` = the cluster size. As a {@link PlatformTestNats}: `url` and `envFor(…).NATS_URL` list
 * every node (comma-separated, as `NATS_URL` accepts), `port`/`storeDir` are the first node's and
 * the cluster's folder, `stop()`/`start()` act on every node, `dispose()` stops them all and
 * deletes the stores and seeds.
 */
export interface PlatformTestNatsCluster extends PlatformTestNats {
  readonly nodes: readonly TestNatsClusterNode[];
  /** The running node leading `stream` now (by its own `/jsz` stream detail, `cluster.leader`); waits up to `timeoutMs` while there is none. */
  streamLeader(stream: string, timeoutMs?: number): Promise<TestNatsClusterNode>;
  /** Each running node's copy of `stream`. */
  streamReplicas(stream: string): Promise<StreamReplicaState[]>;
  /** Resolves once the running nodes agree on a JetStream meta leader (and every running node is current). */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
}

export interface PlatformTestNatsClusterOptions {
  /** Nodes, 3 (default) or 5; also the replicas of every stream. */
  readonly size?: 3 | 5;
  /** Topology overrides; `replicas` is the cluster size. */
  readonly topology?: Omit<PlatformTopologyOptions, 'replicas'>;
}

const CLUSTER_NAME = 'platform-test';

interface Jsz {
  readonly meta_cluster?: { readonly leader?: string; readonly replicas?: ReadonlyArray<{ readonly name: string; readonly current: boolean }> };
  readonly account_details?: ReadonlyArray<{
    readonly name: string;
    readonly stream_detail?: ReadonlyArray<{
      readonly name: string;
      readonly state: { readonly messages: number; readonly first_seq: number; readonly last_seq: number };
      readonly cluster?: { readonly leader?: string };
    }>;
  }>;
}

async function jsz(node: TestNatsClusterNode, query = ''): Promise<Jsz | undefined> {
  if (!node.running) return undefined;
  return fetch(`${node.monitorUrl}/jsz${query}`, { signal: AbortSignal.timeout(2000) }).then(
    (response) => (response.ok ? (response.json() as Promise<Jsz>) : undefined),
    () => undefined,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start `size` nats-servers on free loopback ports (client, cluster and monitoring port each),
 * routed to each other as one JetStream cluster with a store per node, each enforcing the same
 * platform identities as {@link startPlatformTestNats} (one generated accounts block for every
 * node; routes and the system account stay unauthenticated on loopback). Once the cluster has a
 * meta leader, `platformTopology({ replicas: size, ...options.topology })` is provisioned as the
 * provisioner. A failed start stops whatever was started.
 */
export async function startPlatformTestNatsCluster(options: PlatformTestNatsClusterOptions = {}): Promise<PlatformTestNatsCluster> {
  const size = options.size ?? 3;
  const topology = platformTopology({ ...options.topology, replicas: size });
  const root = await mkdtemp(join(tmpdir(), 'nats-cluster-'));
  const identities = platformNatsIdentitySet(topology, join(root, 'identities'));
  const ports = await distinctFreePorts(size * 3);
  const plan = Array.from({ length: size }, (_, index) => ({
    index,
    name: `n${index}`,
    port: ports[index * 3]!,
    clusterPort: ports[index * 3 + 1]!,
    monitorPort: ports[index * 3 + 2]!,
  }));
  const url = plan.map((node) => `nats://127.0.0.1:${node.port}`).join(',');
  const client = platformNatsClient(url, identities);
  const nodes: TestNatsClusterNode[] = [];
  const disposeAll = async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    await identities.writeSeeds();
    // Started together: a clustered server waits for its peers' routes before JetStream is up.
    const servers = await Promise.all(
      plan.map((node) =>
        startTestNatsServer({
          port: node.port,
          config: (port, storeDir) =>
            [
              `server_name: ${node.name}`,
              `listen: "127.0.0.1:${port}"`,
              `http: "127.0.0.1:${node.monitorPort}"`,
              // Explicit limits: a clustered server reserves each stream's max_bytes against them.
              `jetstream { store_dir: ${JSON.stringify(storeDir)}, max_memory_store: 256MB, max_file_store: 16GB }`,
              `cluster {`,
              `  name: ${CLUSTER_NAME}`,
              `  listen: "127.0.0.1:${node.clusterPort}"`,
              `  routes: [ ${plan
                .filter((peer) => peer !== node)
                .map((peer) => `"nats-route://127.0.0.1:${peer.clusterPort}"`)
                .join(', ')} ]`,
              `}`,
              identities.authorization,
            ].join('\n'),
        }).then((server) => {
          let running = true;
          const handle: TestNatsClusterNode = {
            ...server,
            name: node.name,
            index: node.index,
            monitorUrl: `http://127.0.0.1:${node.monitorPort}`,
            clusterPort: node.clusterPort,
            get running() {
              return running;
            },
            stop: async () => {
              running = false;
              await server.stop();
            },
            kill: async () => {
              running = false;
              await server.kill();
            },
            start: async () => {
              await server.start();
              running = true;
            },
            dispose: async () => {
              running = false;
              await server.dispose();
            },
          };
          nodes[node.index] = handle;
          return handle;
        }),
      ),
    );
    nodes.splice(0, nodes.length, ...servers);
  } catch (error) {
    await disposeAll();
    throw error;
  }

  const waitForMetaLeader = async (timeoutMs = 30_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const views = await Promise.all(nodes.filter((node) => node.running).map(async (node) => ({ node, jsz: await jsz(node) })));
      const leaders = new Set(views.map((view) => view.jsz?.meta_cluster?.leader));
      const leader = views[0]?.jsz?.meta_cluster?.leader;
      const replicas = views.find((view) => view.node.name === leader)?.jsz?.meta_cluster?.replicas ?? [];
      const runningPeers = views.filter((view) => view.node.name !== leader).map((view) => view.node.name);
      const current = runningPeers.every((name) => replicas.some((replica) => replica.name === name && replica.current));
      if (leader && leaders.size === 1 && current) return leader;
      last = JSON.stringify(views.map((view) => ({ node: view.node.name, meta: view.jsz?.meta_cluster })));
      if (Date.now() > deadline) throw new Error(`no JetStream meta leader after ${timeoutMs} ms: ${last}`);
      await sleep(100);
    }
  };

  const streamLeader = async (stream: string, timeoutMs = 30_000): Promise<TestNatsClusterNode> => {
    // From the nodes' own monitoring view (not a JetStream API request, which waits for a dead
    // leader's answer until it times out): the running node that says it leads the stream.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await streamReplicas(stream).catch(() => []);
      const node = nodes.find((candidate) => candidate.running && states.some((state) => state.node === candidate.name && state.leader === candidate.name));
      if (node) return node;
      if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader after ${timeoutMs} ms: ${JSON.stringify(states)}`);
      await sleep(50);
    }
  };

  const streamReplicas = async (stream: string): Promise<StreamReplicaState[]> => {
    const states: StreamReplicaState[] = [];
    for (const node of nodes.filter((candidate) => candidate.running)) {
      const detail = (await jsz(node, '?accounts=true&streams=true'))?.account_details
        ?.flatMap((account) => account.stream_detail ?? [])
        .find((candidate) => candidate.name === stream);
      if (!detail) throw new Error(`node ${node.name} reports no copy of stream ${stream}`);
      states.push({ node: node.name, messages: detail.state.messages, firstSeq: detail.state.first_seq, lastSeq: detail.state.last_seq, leader: detail.cluster?.leader });
    }
    return states;
  };

  try {
    await waitForMetaLeader();
    await provisionAsProvisioner(client, topology);
  } catch (error) {
    await disposeAll();
    throw error;
  }

  return {
    ...client,
    url,
    port: nodes[0]!.port,
    storeDir: root,
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
    kill: async () => {
      await Promise.all(nodes.map((node) => node.kill()));
    },
    start: async () => {
      await Promise.all(nodes.filter((node) => !node.running).map((node) => node.start()));
      await waitForMetaLeader();
    },
    dispose: disposeAll,
    streamLeader,
    streamReplicas,
    waitForMetaLeader,
  };
}

/** `count` free loopback ports, all different (freePort may hand out a port twice in a row). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
