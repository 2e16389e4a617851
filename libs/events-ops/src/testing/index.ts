/** NATS servers for tests, configured like production: the platform's identities, permissions and topology. */
export { startPlatformTestNats, type PlatformTestNats } from './platform-nats.js';
export { startPlatformTestNatsCluster, type PlatformTestNatsCluster, type PlatformTestNatsClusterOptions, type StreamReplicaState, type TestNatsClusterNode } from './nats-cluster.js';
