import type { Migration } from '@platform/events';

/** The payment service's tables (its own database; the events library adds its own). */
export const paymentMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'payments',
    sql: `
      CREATE TABLE payments (
        payment_id        text        PRIMARY KEY,
        tenant_id         text        NOT NULL,
        order_id          text        NOT NULL,
        status            text        NOT NULL CHECK (status IN ('authorized', 'declined', 'captured', 'voided', 'refunded', 'cancelled')),
        amount_cents      bigint      NOT NULL CHECK (amount_cents >= 0),
        currency          text        NOT NULL,
        decline_reason    text,
        gateway_reference text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, order_id)
      );
    `,
  },
];
