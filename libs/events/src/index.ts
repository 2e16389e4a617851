/**
 * @platform/events — the public surface of the events library. Everything a service needs is
 * named here; anything else is internal. Test doubles and fixtures live in `@platform/events/testing`.
 */

// Errors
export {
  CircuitOpenError,
  ErrorCode,
  EventsError,
  InvalidConfigError,
  InvalidEventError,
  isRetryable,
  MalformedEnvelopeError,
  NotFoundError,
  PermanentError,
  RetryableError,
  SequenceGapError,
  UnknownEventTypeError,
  UnsafeTopologyChangeError,
  type ValidationIssue,
} from './errors.js';

// Contracts: how a catalogue declares its events (the platform's own are in @platform/contracts)
export { defineEvent, type EventContract, type EventDefinition, type PayloadClass, type PayloadOf } from './contracts/define-event.js';
export { defineUpcaster, type Upcaster } from './contracts/upcaster.js';
export { composeDecorators, Describe, IsOneOf, IsQuantity, IsTimestamp, NestedArray, NestedObject, Optional } from './contracts/contract.decorators.js';
export { EventRegistry } from './contracts/registry.js';
export { generateJsonSchemas } from './contracts/json-schema.js';
export type { JsonSchema } from './contracts/json-schema.types.js';
export { envelopeJsonSchema } from './contracts/envelope.json-schema.js';

// Envelope
export { TENANT_ID_PATTERN, type EventEnvelope } from './envelope/envelope.js';
export { createEnvelope, type CreateEnvelopeInput } from './envelope/create-envelope.js';
export { parseEnvelope } from './envelope/parse-envelope.js';
export { encodeEnvelope } from './envelope/encode-envelope.js';
export { childTraceparent, createTraceparent, formatTraceparent, isValidTraceparent, parseTraceparent, type TraceContext } from './envelope/traceparent.js';
export { newEventId } from './envelope/event-id.js';

// Subjects and topology
export { assertTenant, DLQ_SUBJECT_PREFIX, dlqSubject, domainFilter, eventSubject, isSubjectToken, parseEventType, tenantOfSubject, type ParsedEventType } from './subjects/subjects.js';
export { DiscardPolicyName, FIXED_CONSUMER_CONFIG, FIXED_STREAM_CONFIG, type ConsumerSpec, type StreamSpec, type Topology } from './topology/topology.types.js';
export { assertValidTopology, consumersOf, durableName, streamOf, validateTopology } from './topology/topology.js';
export { isSubsetOf, subjectMatches } from './topology/subject-patterns.js';

// Storage
export type { AdvisoryLock, Database, DatabaseEngine, Queryable, QueryResult, Transaction } from './storage/database.js';
export { PgDatabase, type PgDatabaseOptions } from './storage/pg.database.js';
export { PgliteDatabase, type PgliteDatabaseOptions } from './storage/pglite.database.js';
export { openDatabase, type OpenDatabaseOptions } from './storage/open-database.js';
export { DatabaseMetricName, DatabaseMetrics, InstrumentedDatabase, StatementScope, TransactionOutcome } from './storage/instrumented.database.js';
export { migrate, type Migration } from './storage/migrations.js';
export { EVENTS_SCHEMA_COMPONENT, eventsMigrations } from './schema/events.schema.js';

// NATS connection
export { connectNats, NatsAuthenticationError, type NatsConnectionOptions, type NatsTlsOptions } from './connection/nats-connection.js';

// Publishing
export type { PublishAck, PublishOptions, Publisher } from './publisher/publisher.js';
export { JetStreamPublisher } from './publisher/jetstream.publisher.js';
export { InstrumentedPublisher } from './publisher/instrumented.publisher.js';
export { CE_TYPE_HEADER, DEFAULT_OUTBOX_CHANNEL, Outbox, type EventValidator, type OutboxEventInput, type OutboxOptions, type OutboxRecord } from './outbox/outbox.js';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox.relay.js';
export { republishRange, type RepublishRange } from './outbox/outbox.republish.js';

// Consuming
export type { BatchEventContext, DeliveryMetadata, EmitEvent, EmittedEvent, EventContext } from './transport/event-context.js';
export { JetStreamBatchContext, JetStreamContext } from './transport/jetstream.context.js';
export {
  MessageProcessor,
  type BatchEventHandler,
  type ConsumerEventRegistry,
  type EventHandler,
  type InboundMessage,
  type MessageProcessorOptions,
  type PreparedMessage,
} from './transport/message-processor.js';
export { BatchScheduler, Semaphore, type BatchSchedulerOptions } from './transport/batch-scheduler.js';
export { isInfrastructureFailure } from './storage/infrastructure-failure.js';
export { ConsumerRunner, type ConsumerRunnerOptions } from './transport/consumer-runner.js';
export { OrderingMode } from './transport/inbox.js';
export { JETSTREAM_TRANSPORT, orderingForFilter, ServerJetStream, type ConsumerBinding, type JetStreamServerOptions } from './transport/server-jetstream.js';
export { EventErrorPassthroughFilter } from './transport/event-error-passthrough.filter.js';
export { connectJetStream } from './transport/connect-jetstream.js';
export { HandleEvent } from './transport/handle-event.decorator.js';
export { HandleEventBatch } from './transport/handle-event-batch.decorator.js';

// Dead letters
export { DeadLetterPublisher, DeadLetterReason, DlqHeader, REDRIVE_CONSUMER_HEADER, REDRIVEN_FROM_HEADER, type DeadLetterDetails, type FailedMessage } from './dlq/dead-letter.js';
export { DeadLetterQueue, type DeadLetteredMessage, type DeadLetterQueueOptions } from './dlq/dead-letter-queue.js';
export { MaxDeliveriesAdvisoryListener, maxDeliveriesAdvisorySubject } from './dlq/max-deliveries.advisory.js';

// Metrics
export { ConsumeOutcome, EventsMetricName, EventsMetrics, PublishResult } from './metrics/events.metrics.js';

// Runtime wiring for services
export { EventsRuntime, type EventsRuntimeOptions } from './runtime/events.runtime.js';

// Resilience
export { CircuitBreaker, CircuitState, type CircuitBreakerOptions } from './resilience/circuit-breaker.js';

// Tracing (W3C trace context through HTTP, events and logs; OpenTelemetry API)
export { activeTraceFields, activeTraceparent, enableTraceContext, SpanKind, startHop, withHop, type Hop } from './tracing/trace-context.js';

// Utilities
export { backoffDelay, type BackoffOptions } from './util/backoff.js';
export { deleteInBatches } from './util/delete-in-batches.js';
export { silentLogger, type EventsLogger } from './util/logger.js';
