/**
 * The library's own tables, applied with `migrate(db, EVENTS_SCHEMA_COMPONENT, eventsMigrations)`
 * next to each service's migrations. Each service has its own database, so names are not prefixed
 * with the service.
 */
export const EVENTS_SCHEMA_COMPONENT = 'platform-events';

export const eventsMigrations = [
  {
    version: 1,
    name: 'outbox, inbox and sequences',
    sql: `
      CREATE TABLE events_outbox (
        id            bigserial PRIMARY KEY,
        event_id      uuid        NOT NULL UNIQUE,
        tenant_id     text        NOT NULL,
        aggregate_id  text        NOT NULL,
        sequence      bigint      NOT NULL,
        subject       text        NOT NULL,
        type          text        NOT NULL,
        payload       text        NOT NULL,
        headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz,
        attempts      integer     NOT NULL DEFAULT 0,
        last_error    text
      );
      CREATE INDEX events_outbox_pending_idx ON events_outbox (id) WHERE published_at IS NULL;
      CREATE INDEX events_outbox_published_idx ON events_outbox (published_at) WHERE published_at IS NOT NULL;

      CREATE TABLE events_aggregate_sequences (
        tenant_id     text   NOT NULL,
        aggregate_id  text   NOT NULL,
        last_sequence bigint NOT NULL,
        PRIMARY KEY (tenant_id, aggregate_id)
      );

      CREATE TABLE events_inbox (
        consumer     text        NOT NULL,
        event_id     uuid        NOT NULL,
        event_type   text        NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      );
      CREATE INDEX events_inbox_received_idx ON events_inbox (received_at);

      CREATE TABLE events_consumer_sequences (
        consumer      text   NOT NULL,
        source        text   NOT NULL,
        tenant_id     text   NOT NULL,
        aggregate_id  text   NOT NULL,
        last_sequence bigint NOT NULL,
        PRIMARY KEY (consumer, source, tenant_id, aggregate_id)
      );
    `,
  },
  {
    // When each sequence row was last written (inserted or advanced), so that rows of aggregates
    // idle past the runtime's `sequenceRetentionMs` can be pruned (existing rows start at now()).
    version: 2,
    name: 'sequence rows: updated_at',
    sql: `
      ALTER TABLE events_consumer_sequences ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
      CREATE INDEX events_consumer_sequences_updated_idx ON events_consumer_sequences (updated_at);
    `,
  },
] as const;
