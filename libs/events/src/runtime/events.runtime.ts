import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { INestApplication } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { connectNats, type NatsConnectionOptions } from '../connection/nats-connection.js';
import type { EventRegistry } from '../contracts/registry.js';
import { EventsMetrics } from '../metrics/events.metrics.js';
import { Outbox } from '../outbox/outbox.js';
import { OutboxRelay, type OutboxRelayOptions } from '../outbox/outbox.relay.js';
import { InstrumentedPublisher } from '../publisher/instrumented.publisher.js';
import { JetStreamPublisher } from '../publisher/jetstream.publisher.js';
import { EVENTS_SCHEMA_COMPONENT, eventsMigrations } from '../schema/events.schema.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { consumersOf } from '../topology/topology.js';
import type { Topology } from '../topology/topology.types.js';
import { connectJetStream } from '../transport/connect-jetstream.js';
import type { JetStreamServerOptions, ServerJetStream } from '../transport/server-jetstream.js';
import { errorFields, type EventsLogger } from '../util/logger.js';
import { pruneInbox, pruneSequences } from '../transport/inbox.js';

export interface EventsRuntimeOptions {
  /** The service name: event `source`, relay lock, durable consumer owner. */
  readonly service: string;
  readonly nats: Omit<NatsConnectionOptions, 'service'>;
  /** The service's own database (its migrations are the caller's; the library's are applied here). */
  readonly db: Database;
  /** The contracts the service publishes and consumes. */
  readonly registry: EventRegistry;
  /** The streams and durable consumers; the service's consumers are taken from it. */
  readonly topology: Topology;
  /** prom-client registry to register the library's metrics in. */
  readonly metricsRegistry?: Registry;
  readonly logger?: EventsLogger;
  readonly relay?: Partial<Omit<OutboxRelayOptions, 'db' | 'publisher' | 'service' | 'outbox'>>;
  /**
   * Inbox rows older than this are deleted, milliseconds. Default 8 days: longer than the streams'
   * max age (7 days) and the outbox retention (7 days), so no redelivery or re-published range can
   * bring back an event whose inbox record is gone (the sequence guard would still drop it as stale).
   */
  readonly inboxRetentionMs?: number;
  /**
   * Sequence rows (`events_consumer_sequences`) not written for this long are deleted, in
   * batches, milliseconds; at least `inboxRetentionMs` (a smaller value is raised to it). Default
   * 35 days: longer than the DLQ's max age (30 days), so a redrive is still judged against the
   * aggregate's row by the consumers that applied it, and than the streams' (7 days), so no
   * redelivery finds the row gone. A `strict` consumer applies the next event of a pruned
   * aggregate on its final deferral (see `BatchDependencies.finalDeferral`).
   */
  readonly sequenceRetentionMs?: number;
}

const INBOX_PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Everything a service needs to take part in the event flow, wired once: the NATS connection,
 * the library's tables, the outbox and its relay, metrics, and the JetStream transport for the
 * service's durable consumers. `close()` undoes it in the right order.
 */
export class EventsRuntime {
  private server?: ServerJetStream;
  private pruneTimer?: NodeJS.Timeout;

  private constructor(
    readonly service: string,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly db: Database,
    readonly registry: EventRegistry,
    readonly topology: Topology,
    readonly outbox: Outbox,
    readonly relay: OutboxRelay,
    readonly metrics: EventsMetrics,
    private readonly inboxRetentionMs: number,
    private readonly sequenceRetentionMs: number,
    private readonly logger?: EventsLogger,
  ) {}

  static async start(options: EventsRuntimeOptions): Promise<EventsRuntime> {
    const { registry, topology } = options;
    const metrics = new EventsMetrics(options.metricsRegistry);
    await migrate(options.db, EVENTS_SCHEMA_COMPONENT, eventsMigrations);
    const nc = await connectNats({ ...options.nats, service: options.service });
    const js = jetstream(nc);
    const outbox = new Outbox({ source: options.service, validator: registry });
    const publisher = new InstrumentedPublisher(new JetStreamPublisher(js), metrics);
    const relay = new OutboxRelay({ ...options.relay, db: options.db, publisher, service: options.service, outbox, metrics, logger: options.logger });
    relay.start();
    const inboxRetentionMs = options.inboxRetentionMs ?? 8 * 24 * 3600_000;
    const sequenceRetentionMs = Math.max(options.sequenceRetentionMs ?? 35 * 24 * 3600_000, inboxRetentionMs);
    return new EventsRuntime(options.service, nc, js, options.db, registry, topology, outbox, relay, metrics, inboxRetentionMs, sequenceRetentionMs, options.logger);
  }

  /**
   * Attach the JetStream transport for this service's durable consumers to a NestJS app; call
   * `app.startAllMicroservices()` afterwards. A service with no event handlers need not call it.
   */
  connectTransport(app: INestApplication, overrides: Partial<JetStreamServerOptions> = {}): ServerJetStream {
    const { server } = connectJetStream(app, {
      connection: this.nc,
      consumers: consumersOf(this.topology, this.service),
      registry: this.registry,
      db: this.db,
      outbox: this.outbox,
      metrics: this.metrics,
      logger: this.logger,
      ...overrides,
    });
    this.server = server;
    this.pruneTimer = setInterval(() => void this.pruneInbox().then(() => this.pruneSequences()), INBOX_PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    return server;
  }

  /** The transport attached by {@link connectTransport}, if any (to pause or inspect consumers). */
  get transport(): ServerJetStream | undefined {
    return this.server;
  }

  /** Delete inbox rows past the retention; runs every 10 minutes once the transport is connected. */
  pruneInbox(): Promise<number> {
    return this.pruned('inbox', () => pruneInbox(this.db, new Date(Date.now() - this.inboxRetentionMs)));
  }

  /** Delete sequence rows idle past their retention, in batches; runs after {@link pruneInbox}. */
  pruneSequences(): Promise<number> {
    return this.pruned('sequence row', () => pruneSequences(this.db, new Date(Date.now() - this.sequenceRetentionMs)));
  }

  /** Run a prune; a failure is logged and counts as nothing deleted (the next interval tries again). */
  private async pruned(what: string, prune: () => Promise<number>): Promise<number> {
    try {
      return await prune();
    } catch (error) {
      this.logger?.warn({ ...errorFields(error) }, `${what} pruning failed; retrying at the next interval`);
      return 0;
    }
  }

  /** Readiness of each part, for `/health/ready`. */
  readiness(): Record<string, boolean> {
    return {
      nats: !this.nc.isClosed() && !this.nc.isDraining(),
      ...(this.server ? { consumers: this.server.isReady } : {}),
    };
  }

  /** Stop the relay and drain the connection (the transport is closed by NestJS before this). */
  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.relay.stop();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }
}

