import type { Migration } from '@platform/events';

/** The order service's tables (its own database; the events library adds its own). */
export const orderMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'orders, history, idempotency keys, catalogue projection',
    sql: `
      CREATE TABLE orders (
        order_id            text        PRIMARY KEY,
        tenant_id           text        NOT NULL,
        customer_id         text        NOT NULL,
        status              text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
        cancellation_reason text,
        payment_state       text        NOT NULL DEFAULT 'pending' CHECK (payment_state IN ('pending', 'authorized', 'declined')),
        stock_state         text        NOT NULL DEFAULT 'pending' CHECK (stock_state IN ('pending', 'reserved', 'failed')),
        total_cents         bigint      NOT NULL CHECK (total_cents >= 0),
        currency            text        NOT NULL,
        items               jsonb       NOT NULL,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        deadline_at         timestamptz NOT NULL
      );
      CREATE INDEX orders_tenant_customer_idx ON orders (tenant_id, customer_id, created_at DESC);
      CREATE INDEX orders_tenant_created_idx ON orders (tenant_id, created_at DESC);
      CREATE INDEX orders_pending_deadline_idx ON orders (deadline_at) WHERE status = 'PENDING';

      CREATE TABLE order_history (
        id       bigserial   PRIMARY KEY,
        order_id text        NOT NULL,
        type     text        NOT NULL,
        at       timestamptz NOT NULL
      );
      CREATE INDEX order_history_order_idx ON order_history (order_id, id);

      CREATE TABLE idempotency_keys (
        tenant_id    text        NOT NULL,
        key          text        NOT NULL,
        request_hash text        NOT NULL,
        order_id     text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key)
      );

      CREATE TABLE catalogue (
        tenant_id   text        NOT NULL,
        sku         text        NOT NULL,
        name        text        NOT NULL,
        price_cents bigint      NOT NULL,
        currency    text        NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, sku)
      );
    `,
  },
  {
    version: 2,
    name: 'idempotency keys expire: index on created_at for the sweeper',
    sql: `CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);`,
  },
];
