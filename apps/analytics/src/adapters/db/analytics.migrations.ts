import type { Migration } from '@platform/events';

/**
 * Tables of the analytics service (component `analytics`, applied at every start).
 *
 * - `analytics_facts`: one row per applied event, keyed by the event id, so that applying an event
 *   a second time (redelivery, replay while live consumption runs) changes nothing.
 * - `analytics_tenant_summary`: the counters of each tenant, moved only by the statement that
 *   inserted a new fact, spread over 16 shards (chosen by the event id) so that concurrent
 *   handlers of one busy tenant do not queue on a single row lock; `GET /analytics/summary` sums
 *   the tenant's shards (at most 16 rows, by primary key).
 *
 * Facts are kept for `ANALYTICS_FACT_RETENTION_MS` after they were applied (`FactRetentionSweeper`);
 * the summaries are never derived from them, so pruning a fact changes no counter.
 */
export const analyticsMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'analytics facts and tenant summary',
    sql: `
      CREATE TABLE analytics_facts (
        event_id      uuid        PRIMARY KEY,
        tenant_id     text        NOT NULL,
        event_type    text        NOT NULL,
        aggregate_id  text        NOT NULL,
        amount_cents  bigint,
        quantity      bigint,
        reason        text,
        occurred_at   timestamptz NOT NULL,
        applied_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX analytics_facts_tenant_type_idx ON analytics_facts (tenant_id, event_type, occurred_at);

      CREATE TABLE analytics_tenant_summary (
        tenant_id                   text        NOT NULL,
        shard                       smallint    NOT NULL,
        orders_created              bigint      NOT NULL DEFAULT 0,
        orders_confirmed            bigint      NOT NULL DEFAULT 0,
        orders_cancelled            bigint      NOT NULL DEFAULT 0,
        cancelled_payment_declined  bigint      NOT NULL DEFAULT 0,
        cancelled_out_of_stock      bigint      NOT NULL DEFAULT 0,
        cancelled_unknown_sku       bigint      NOT NULL DEFAULT 0,
        cancelled_timeout           bigint      NOT NULL DEFAULT 0,
        revenue_cents               bigint      NOT NULL DEFAULT 0,
        refunded_cents              bigint      NOT NULL DEFAULT 0,
        payments_authorized         bigint      NOT NULL DEFAULT 0,
        payments_declined           bigint      NOT NULL DEFAULT 0,
        payments_captured           bigint      NOT NULL DEFAULT 0,
        payments_voided             bigint      NOT NULL DEFAULT 0,
        payments_refunded           bigint      NOT NULL DEFAULT 0,
        items_reserved              bigint      NOT NULL DEFAULT 0,
        stock_low_alerts            bigint      NOT NULL DEFAULT 0,
        points_awarded              bigint      NOT NULL DEFAULT 0,
        notifications_sent          bigint      NOT NULL DEFAULT 0,
        last_event_at               timestamptz,
        updated_at                  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, shard)
      );
    `,
  },
  {
    version: 2,
    name: 'analytics facts: index for the retention sweep',
    sql: `CREATE INDEX analytics_facts_applied_idx ON analytics_facts (applied_at);`,
  },
];
