import type { Migration } from '@platform/events';

/**
 * The notification service's own tables, applied at every start with `migrate(db, 'notification', …)`.
 * Each notification is recorded once per fact even if a handler ran twice (defence in depth beside
 * the consumer's inbox):
 * - a customer notification once per (tenant, template, order): `notifications_order_template_key`
 *   (operations alerts have no order; NULLs never conflict);
 * - any notification once per source event: `notifications_source_event_key`.
 */
export const notificationMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'notifications',
    sql: `
      CREATE TABLE notifications (
        id              uuid        PRIMARY KEY,
        tenant_id       text        NOT NULL,
        template        text        NOT NULL,
        channel         text        NOT NULL,
        recipient       text        NOT NULL,
        order_id        uuid,
        customer_id     text,
        message         text        NOT NULL,
        source_event_id uuid        NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notifications_order_template_key UNIQUE (tenant_id, template, order_id),
        CONSTRAINT notifications_source_event_key UNIQUE (tenant_id, source_event_id)
      );
      CREATE INDEX notifications_order_idx ON notifications (tenant_id, order_id, created_at DESC, id DESC) WHERE order_id IS NOT NULL;
      CREATE INDEX notifications_customer_idx ON notifications (tenant_id, customer_id, created_at DESC, id DESC) WHERE customer_id IS NOT NULL;
    `,
  },
];
