import type { Migration } from '@platform/events';

/**
 * The loyalty service's own tables, applied at every start with `migrate(db, 'loyalty', …)`.
 * - `loyalty_awards`: one row per confirmed order that earned points. The primary key
 *   (tenant_id, order_id) records each award once even if a handler ran twice (defence in depth
 *   beside the consumer's inbox).
 * - `loyalty_accounts`: the running balance per (tenant, customer), added to in the award's
 *   transaction.
 */
export const loyaltyMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'loyalty accounts and awards',
    sql: `
      CREATE TABLE loyalty_accounts (
        tenant_id   text        NOT NULL,
        customer_id text        NOT NULL,
        points      bigint      NOT NULL CHECK (points >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, customer_id)
      );

      CREATE TABLE loyalty_awards (
        tenant_id   text        NOT NULL,
        order_id    uuid        NOT NULL,
        customer_id text        NOT NULL,
        points      bigint      NOT NULL CHECK (points >= 1),
        total_cents bigint      NOT NULL,
        currency    text        NOT NULL,
        event_id    uuid        NOT NULL,
        awarded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, order_id)
      );
      CREATE INDEX loyalty_awards_customer_idx ON loyalty_awards (tenant_id, customer_id, awarded_at DESC, order_id DESC);
    `,
  },
];
