import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventRegistry } from '../contracts/registry.js';
import type { Database } from '../storage/database.js';
import type { Topology } from '../topology/topology.types.js';
import { createTestPgliteDatabase } from '../testing/databases.js';
import { startTestNatsServer, type TestNatsServer } from '../testing/nats-server.js';
import { EventsRuntime } from './events.runtime.js';

// A service with no contracts and no consumers: what the runtime wires does not depend on them.
const registry = new EventRegistry();
const topology: Topology = { streams: [], consumers: [] };

describe('EventsRuntime', () => {
  let server: TestNatsServer;
  let db: Database;
  let cleanup: () => Promise<void>;
  let runtime: EventsRuntime;

  beforeAll(async () => {
    server = await startTestNatsServer();
    ({ db, cleanup } = await createTestPgliteDatabase());
    runtime = await EventsRuntime.start({ service: 'payment', nats: { url: server.url }, db, registry, topology, inboxRetentionMs: 24 * 3600_000, sequenceRetentionMs: 2 * 24 * 3600_000 });
  });

  afterAll(async () => {
    await runtime?.close();
    await cleanup?.();
    await server?.dispose();
  });

  it('applies the library tables, connects to NATS and reports readiness', async () => {
    expect((await db.query("SELECT to_regclass('events_outbox') IS NOT NULL AS ok")).rows[0]).toEqual({ ok: true });
    expect(runtime.readiness()).toEqual({ nats: true });
    await vi.waitFor(() => expect(runtime.relay.isLeader).toBe(true), { timeout: 5000 });
  });

  it('prunes inbox rows past the retention and keeps the rest', async () => {
    await db.query(
      `INSERT INTO events_inbox (consumer, event_id, event_type, received_at) VALUES
       ('payment-orders', '0190b3a2-7d3e-7c11-9a4f-000000000001', 'order.created.v1', now() - interval '2 days'),
       ('payment-orders', '0190b3a2-7d3e-7c11-9a4f-000000000002', 'order.created.v1', now() - interval '1 hour')`,
    );
    expect(await runtime.pruneInbox()).toBe(1);
    expect((await db.query('SELECT event_id FROM events_inbox')).rows).toEqual([{ event_id: '0190b3a2-7d3e-7c11-9a4f-000000000002' }]);
  });

  it('prunes sequence rows not written for longer than their retention and keeps the rest', async () => {
    await db.query(
      `INSERT INTO events_consumer_sequences (consumer, source, tenant_id, aggregate_id, last_sequence, updated_at) VALUES
       ('payment-orders', 'order', 'acme', 'o-idle', 7, now() - interval '3 days'),
       ('payment-orders', 'order', 'acme', 'o-recent', 3, now() - interval '36 hours'),
       ('payment-orders', 'order', 'acme', 'o-new', 1, DEFAULT)`,
    );
    expect(await runtime.pruneSequences()).toBe(1);
    expect((await db.query('SELECT aggregate_id FROM events_consumer_sequences ORDER BY aggregate_id')).rows).toEqual([{ aggregate_id: 'o-new' }, { aggregate_id: 'o-recent' }]);
  });

  it('refuses a malformed NATS_URL naming the key', async () => {
    await expect(EventsRuntime.start({ service: 'payment', nats: { url: 'http://not nats' }, db, registry, topology })).rejects.toThrow(/NATS_URL/);
  });
});
