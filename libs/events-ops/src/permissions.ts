import { SubjectDomain } from '@platform/contracts';
import { consumersOf, DLQ_SUBJECT_PREFIX } from '@platform/events';
import type { Topology } from '@platform/events';

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
   * Streams the service re-reads from the start, e.g. the analytics rebuild: stream info and the
   * stored-message API (`$JS.API.STREAM.MSG.GET`, read by sequence). Not consumers: an ephemeral
   * consumer's name cannot be matched by a subject permission without allowing every consumer of
   * the stream (reading, pulling and deleting the other services' durables). Default none.
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
      allow: unique([
        ...publishes,
        ...consumers.flatMap(({ stream, durable }) => [
          `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
          `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
          `$JS.ACK.${stream}.${durable}.>`,
          `${DLQ_SUBJECT_PREFIX}.${durable}.>`,
        ]),
        ...streams.map((stream) => `$JS.API.STREAM.MSG.GET.${stream}`),
        ...((options.replayStreams ?? []).length > 0 ? ['$JS.API.INFO'] : []),
        ...(options.replayStreams ?? []).flatMap((stream) => [`$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.MSG.GET.${stream}`]),
      ]),
    },
    subscribe: {
      allow: [
        `${options.inboxPrefix ?? `_INBOX_${service}`}.>`,
        ...consumers.map(({ stream, durable }) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`),
      ],
    },
  };
}

function unique(subjects: readonly string[]): string[] {
  return [...new Set(subjects)];
}
