import { DLQ_SUBJECT_PREFIX, SubjectDomain } from '../subjects/subjects.js';
import { consumersOf } from './topology.js';
import type { Topology } from './topology.types.js';

/** NATS subject permissions of one user, in the shape of a server config's `permissions` block. */
export interface SubjectPermissions {
  readonly publish: { readonly allow: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
}

export interface ServicePermissionsOptions {
  /**
   * Subjects the service publishes its events to. Default: its subject domain when it is a
   * producer (`order` → `orders.>`), nothing otherwise. Narrow to tenants with e.g. `orders.demo.>`.
   */
  readonly publishes?: readonly string[];
  /** The connection's inbox prefix (`connectNats` uses `_INBOX_<service>`). */
  readonly inboxPrefix?: string;
  /**
   * Streams the service re-reads from the start with ordered (ephemeral) consumers, e.g. the
   * analytics rebuild: stream info, creating, pulling from and deleting its own ephemeral
   * consumers on those streams. Default none.
   */
  readonly replayStreams?: readonly string[];
}

/**
 * The least privileges a service needs in steady state, derived from its consumers in the
 * topology; everything else (creating or changing streams and consumers, reading other services'
 * consumers, the DLQ operator API) belongs to the provisioner's or an operator's user.
 *
 * Per consumer: its consumer info, pulls (`$JS.API.CONSUMER.MSG.NEXT`), acks (`$JS.ACK`), the
 * stream message get and the max-deliveries advisory for the advisory dead-letter path, and
 * publishing its own dead letters (`dlq.<durable>.>`). Plus publishing its own events and
 * receiving replies on its private inbox prefix.
 */
export function servicePermissions(topology: Topology, service: string, options: ServicePermissionsOptions = {}): SubjectPermissions {
  const consumers = consumersOf(topology, service);
  const domain = (SubjectDomain as Readonly<Record<string, string>>)[service];
  const publishes = options.publishes ?? (domain ? [`${domain}.>`] : []);
  const streams = [...new Set(consumers.map((c) => c.stream))];
  return {
    publish: {
      allow: [
        ...publishes,
        ...consumers.flatMap(({ stream, durable }) => [
          `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
          `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
          `$JS.ACK.${stream}.${durable}.>`,
          `${DLQ_SUBJECT_PREFIX}.${durable}.>`,
        ]),
        ...streams.map((stream) => `$JS.API.STREAM.MSG.GET.${stream}`),
        ...((options.replayStreams ?? []).length > 0 ? ['$JS.API.INFO'] : []),
        ...(options.replayStreams ?? []).flatMap((stream) => [
          `$JS.API.STREAM.INFO.${stream}`,
          `$JS.API.CONSUMER.CREATE.${stream}`,
          `$JS.API.CONSUMER.CREATE.${stream}.>`,
          `$JS.API.CONSUMER.INFO.${stream}.>`,
          `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
          `$JS.API.CONSUMER.DELETE.${stream}.>`,
        ]),
      ],
    },
    subscribe: {
      allow: [
        `${options.inboxPrefix ?? `_INBOX_${service}`}.>`,
        ...consumers.map(({ stream, durable }) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`),
      ],
    },
  };
}

/**
 * A `users` entry of a nats-server config for the service. `password` is the config token as
 * written: by default a reference to the environment variable `<SERVICE>_NATS_PASSWORD`.
 */
export function natsUserConfig(service: string, permissions: SubjectPermissions, password = `$${service.toUpperCase()}_NATS_PASSWORD`): string {
  const list = (subjects: readonly string[]) => subjects.map((s) => `      "${s}"`).join(',\n');
  return [
    `{ user: "${service}", password: ${password}, permissions: {`,
    `    publish: { allow: [`,
    list(permissions.publish.allow),
    `    ] }`,
    `    subscribe: { allow: [`,
    list(permissions.subscribe.allow),
    `    ] }`,
    `} }`,
  ].join('\n');
}
