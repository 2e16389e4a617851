// Types of tools/nats-local.mjs (plain JS, used by tools/start.ts and tools/k8s-secrets.mjs) for start and the specs.
import type { ChildProcess } from 'node:child_process';
import type { Topology } from '@platform/events';

export declare const PLATFORM_NATS_IDENTITIES: readonly string[];
export interface LocalIdentity {
  readonly name: string;
  readonly publicKey: string;
  readonly seedFile: string;
}
export interface LoadedIdentities {
  readonly dir: string;
  readonly identities: Record<string, LocalIdentity>;
  readonly created: string[];
  readonly reused: string[];
}
export declare function seedFileOf(dir: string, identity: string): string;
export declare function loadIdentities(dir: string, options?: { create?: boolean; names?: readonly string[] }): LoadedIdentities;
export declare function unknownSeedFiles(dir: string, names?: readonly string[]): string[];
export declare function authorizationConfig(identities: Record<string, LocalIdentity>, topology?: Topology): string;
export declare function localNatsServerConfig(options: { port: number; storeDir: string; identities: Record<string, LocalIdentity>; topology?: Topology }): string;
export declare function accepts(address: { host: string; port: number }, timeoutMs?: number): Promise<boolean>;
export declare function chooseLoopbackPort(preferred?: number): Promise<number>;
export declare function prepareLocalNats(options: { natsDir: string; port: number; identitiesDir?: string; topology?: Topology }): LoadedIdentities & {
  readonly configFile: string;
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
};
export declare function startNatsServer(options: { binary: string; configFile: string; port: number; logFile: string; cwd?: string; timeoutMs?: number }): Promise<ChildProcess>;
