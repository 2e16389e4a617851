import { createNatsIdentity, natsAuthorizationConfig, provisionerPermissions, type NatsIdentity, type NatsUserEntry } from './nats-auth.js';
import { servicePermissions } from './permissions.js';
import { PLATFORM_REPLAY_STREAMS, PlatformService } from '@platform/contracts';
import type { Topology } from '@platform/events';

/**
 * The NATS identities of the platform besides its six services: the provisioner applies the
 * topology (JetStream API only, no events), the operator runs the operator tools (DLQ inspection
 * and redrive, outbox status, tails): unrestricted within the account, like an administrator.
 */
export const PlatformAdminIdentity = {
  Provisioner: 'provisioner',
  Operator: 'operator',
} as const;
export type PlatformAdminIdentity = (typeof PlatformAdminIdentity)[keyof typeof PlatformAdminIdentity];

/** Every identity of the platform, services first. */
export const PLATFORM_NATS_IDENTITIES: readonly string[] = [...Object.values(PlatformService), ...Object.values(PlatformAdminIdentity)];

/** A fresh NKey for every platform identity. */
export function createPlatformNatsIdentities(): Record<string, NatsIdentity> {
  return Object.fromEntries(PLATFORM_NATS_IDENTITIES.map((name) => [name, createNatsIdentity(name)]));
}

/**
 * The `users` of the platform account: each service with exactly `servicePermissions` (its
 * own events, its own durables, its own dead letters, analytics' replay streams), the provisioner
 * with the JetStream API only, the operator unrestricted. `publicKeys` names every identity of
 * `PLATFORM_NATS_IDENTITIES`.
 */
export function platformNatsUsers(topology: Topology, publicKeys: Readonly<Record<string, string>>): NatsUserEntry[] {
  const key = (name: string) => {
    const publicKey = publicKeys[name];
    if (!publicKey) throw new Error(`no public NKey for the NATS identity ${name}`);
    return publicKey;
  };
  return [
    ...Object.values(PlatformService).map((service) => ({
      name: `${service}: its events, its durables, its dead letters`,
      publicKey: key(service),
      permissions: servicePermissions(topology, service, { replayStreams: PLATFORM_REPLAY_STREAMS[service] }),
    })),
    { name: 'provisioner: the JetStream API (streams and consumers), no events', publicKey: key(PlatformAdminIdentity.Provisioner), permissions: provisionerPermissions() },
    { name: 'operator: operator tools, unrestricted in the account', publicKey: key(PlatformAdminIdentity.Operator) },
  ];
}

/** The platform account's `accounts { … }` block for a nats-server config (no anonymous access). */
export function platformNatsAuthorizationConfig(topology: Topology, publicKeys: Readonly<Record<string, string>>): string {
  return natsAuthorizationConfig({ account: 'PLATFORM', users: platformNatsUsers(topology, publicKeys) });
}
