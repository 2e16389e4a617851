import type { Migration } from '@platform/events';

/** The inventory service's tables (its own database; the events library adds its own). */
export const inventoryMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'products and reservations',
    sql: `
      CREATE TABLE products (
        tenant_id           text        NOT NULL,
        sku                 text        NOT NULL,
        name                text        NOT NULL,
        price_cents         bigint      NOT NULL CHECK (price_cents >= 0),
        currency            text        NOT NULL,
        available           integer     NOT NULL CHECK (available >= 0),
        reserved            integer     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        low_stock_threshold integer     NOT NULL CHECK (low_stock_threshold >= 0),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, sku)
      );
      CREATE TABLE reservations (
        tenant_id  text        NOT NULL,
        order_id   text        NOT NULL,
        status     text        NOT NULL CHECK (status IN ('reserved', 'failed', 'committed', 'released', 'cancelled')),
        items      jsonb       NOT NULL,
        reason     text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, order_id)
      );
    `,
  },
];
