import { AckPolicy, jetstream, jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { durableName, UnsafeTopologyChangeError } from '@platform/events';
import type { ConsumerSpec, StreamSpec, Topology } from '@platform/events';
import { provision, type ProvisionReport } from './provisioner.js';
import { OptInChange } from './topology.diff.js';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
});

describe('provision (nats-server on 127.0.0.1:4222)', () => {
  let prefix: string;
  let EVENTS: string;
  let DEAD: string;

  const baseTopology = (): { streams: StreamSpec[]; consumers: ConsumerSpec[] } => {
    const consumer = (service: string, stream: string, filterSubject: string): ConsumerSpec => ({
      stream,
      durable: durableName(service, stream),
      service,
      filterSubject,
      description: `${service} reads ${stream}`,
      ackWaitMs: 30_000,
      maxDeliver: 5,
      maxAckPending: 1000,
    });
    return {
      streams: [
        { name: EVENTS, subjects: [`${prefix}.events.>`], description: 'events', maxAgeMs: 3_600_000, duplicateWindowMs: 120_000 },
        { name: DEAD, subjects: [`${prefix}.dlq.>`], description: 'dead letters', duplicateWindowMs: 120_000 },
      ],
      consumers: [consumer('alpha', EVENTS, `${prefix}.events.*.*`), consumer('beta', EVENTS, `${prefix}.events.*.created`)],
    };
  };
  const actions = (report: ProvisionReport) => Object.fromEntries(report.entries.map((e) => [e.name, e.action]));
  const snapshot = async () => ({
    events: (await jsm.streams.info(EVENTS)).config,
    dead: (await jsm.streams.info(DEAD)).config,
    alpha: (await jsm.consumers.info(EVENTS, `alpha-${EVENTS.toLowerCase()}`)).config,
    beta: (await jsm.consumers.info(EVENTS, `beta-${EVENTS.toLowerCase()}`)).config,
  });

  beforeEach(() => {
    prefix = `t${randomBytes(5).toString('hex')}`;
    EVENTS = `${prefix.toUpperCase()}_EVENTS`;
    DEAD = `${prefix.toUpperCase()}_DEAD`;
  });
  afterEach(async () => {
    for (const name of [EVENTS, DEAD]) await jsm.streams.delete(name).catch(() => undefined);
  });

  it('creates what is missing as declared, and a second run finds everything unchanged', async () => {
    const topology = baseTopology();
    const alpha = `${EVENTS}/alpha-${EVENTS.toLowerCase()}`;
    const beta = `${EVENTS}/beta-${EVENTS.toLowerCase()}`;

    const first = await provision(jsm, topology);
    expect(actions(first)).toEqual({ [EVENTS]: 'created', [DEAD]: 'created', [alpha]: 'created', [beta]: 'created' });

    const state = await snapshot();
    expect(state.events).toMatchObject({
      subjects: [`${prefix}.events.>`],
      storage: 'file',
      retention: 'limits',
      max_age: 3_600_000_000_000,
      duplicate_window: 120_000_000_000,
      num_replicas: 1,
      discard: 'old',
    });
    expect(state.beta).toMatchObject({
      durable_name: `beta-${EVENTS.toLowerCase()}`,
      filter_subject: `${prefix}.events.*.created`,
      ack_policy: 'explicit',
      deliver_policy: 'all',
      replay_policy: 'instant',
      ack_wait: 30_000_000_000,
      max_deliver: 5,
      max_ack_pending: 1000,
    });
    expect(state.beta.deliver_subject).toBeUndefined();

    const second = await provision(jsm, topology);
    expect(actions(second)).toEqual({ [EVENTS]: 'unchanged', [DEAD]: 'unchanged', [alpha]: 'unchanged', [beta]: 'unchanged' });
    expect(second.unmanagedConsumers).toEqual([]);
  });

  it('updates editable fields in place, then is idempotent again', async () => {
    const topology = baseTopology();
    await provision(jsm, topology);
    const changed: Topology = {
      streams: [
        { ...topology.streams[0]!, subjects: [`${prefix}.events.>`, `${prefix}.extra.>`], maxAgeMs: 7_200_000, description: 'events v2' },
        topology.streams[1]!,
      ],
      consumers: [
        { ...topology.consumers[0]!, maxAckPending: 50, ackWaitMs: 10_000, maxDeliver: 3 },
        { ...topology.consumers[1]!, filterSubject: `${prefix}.events.demo.created` },
      ],
    };

    const report = await provision(jsm, changed);
    const byName = Object.fromEntries(report.entries.map((e) => [e.name, e]));
    expect(byName[EVENTS]!.action).toBe('updated');
    expect(byName[EVENTS]!.changes.map((c) => `${c.field}: ${c.current} -> ${c.desired}`)).toEqual([
      `subjects: ${prefix}.events.> -> ${prefix}.events.>, ${prefix}.extra.>`,
      'description: events -> events v2',
      'max_age: 1h -> 2h',
    ]);
    expect(byName[`${EVENTS}/alpha-${EVENTS.toLowerCase()}`]!.changes.map((c) => c.field)).toEqual(['ack_wait', 'max_deliver', 'max_ack_pending']);
    expect(byName[`${EVENTS}/beta-${EVENTS.toLowerCase()}`]!.changes.map((c) => c.field)).toEqual(['filter_subject']);
    expect(byName[DEAD]!.action).toBe('unchanged');

    const state = await snapshot();
    expect(state.events).toMatchObject({ subjects: [`${prefix}.events.>`, `${prefix}.extra.>`], max_age: 7_200_000_000_000, description: 'events v2' });
    expect(state.alpha).toMatchObject({ max_ack_pending: 50, ack_wait: 10_000_000_000, max_deliver: 3 });
    expect(state.beta.filter_subject).toBe(`${prefix}.events.demo.created`);

    expect(new Set(Object.values(actions(await provision(jsm, changed))))).toEqual(new Set(['unchanged']));
  });

  it('refuses an unsafe change with a message naming object, field, values and remedy, and modifies nothing', async () => {
    const topology = baseTopology();
    await provision(jsm, topology);
    const before = await snapshot();
    const unsafe: Topology = {
      streams: [{ ...topology.streams[0]!, description: 'would be editable' }, topology.streams[1]!],
      consumers: [topology.consumers[0]!, { ...topology.consumers[1]!, filterSubject: `${prefix}.events.*.*`, maxAckPending: 10 }],
    };

    const error = await provision(jsm, unsafe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeTopologyChangeError);
    const message = (error as Error).message;
    expect(message).toContain('nothing was changed');
    expect(message).toContain(
      `consumer ${EVENTS}/beta-${EVENTS.toLowerCase()}: filter_subject is "${prefix}.events.*.created", topology wants "${prefix}.events.*.*"`,
    );
    expect(message).toContain(`nats consumer rm ${EVENTS} beta-${EVENTS.toLowerCase()}`);
    expect(await snapshot()).toEqual(before);

    const allowed = await provision(jsm, unsafe, { allow: [OptInChange.ConsumerFilterSubject] });
    expect(allowed.entries.filter((e) => e.action === 'updated').map((e) => e.name)).toEqual([EVENTS, `${EVENTS}/beta-${EVENTS.toLowerCase()}`]);
    expect((await jsm.consumers.info(EVENTS, `beta-${EVENTS.toLowerCase()}`)).config.filter_subject).toBe(`${prefix}.events.*.*`);
  });

  it('refuses to drop a subject that still holds messages, and drops it once they are purged', async () => {
    const topology = baseTopology();
    const wide: Topology = { ...topology, streams: [{ ...topology.streams[0]!, subjects: [`${prefix}.events.>`, `${prefix}.old.>`] }, topology.streams[1]!] };
    await provision(jsm, wide);
    await jetstream(nc).publish(`${prefix}.old.demo.created`, 'x');
    await jetstream(nc).publish(`${prefix}.events.demo.created`, 'y');

    await expect(provision(jsm, topology)).rejects.toThrow(
      new RegExp(`stream ${EVENTS}: subjects is "${prefix}\\.events\\.>, ${prefix}\\.old\\.>".*1 stored message\\(s\\) match "${prefix}\\.old\\.>"`),
    );
    expect((await jsm.streams.info(EVENTS)).config.subjects).toEqual([`${prefix}.events.>`, `${prefix}.old.>`]);

    await jsm.streams.purge(EVENTS, { filter: `${prefix}.old.>` });
    expect(actions(await provision(jsm, topology))[EVENTS]).toBe('updated');
    expect((await jsm.streams.info(EVENTS)).config.subjects).toEqual([`${prefix}.events.>`]);
  });

  it('refuses a storage type it cannot change', async () => {
    const topology = baseTopology();
    await jsm.streams.add({ name: DEAD, subjects: [`${prefix}.dlq.>`], storage: StorageType.Memory, duplicate_window: 120_000_000_000 });
    await expect(provision(jsm, topology)).rejects.toThrow(`stream ${DEAD}: storage is "memory", topology wants "file"`);
    await expect(jsm.streams.info(EVENTS)).rejects.toThrow(/stream not found/);
  });

  it('refuses replicas a single server cannot keep (the shared test server is not clustered)', async () => {
    const topology = baseTopology();
    await provision(jsm, topology);
    const replicated: Topology = { ...topology, streams: topology.streams.map((stream) => ({ ...stream, replicas: 3 })) };
    await expect(provision(jsm, replicated)).rejects.toThrow(`stream ${EVENTS}: num_replicas is "1", topology wants "3": the server is not clustered`);
    expect((await jsm.streams.info(EVENTS)).config.num_replicas).toBe(1);
  });

  it('dry run reports what it would do and changes nothing, refusals included', async () => {
    const topology = baseTopology();
    const planned = await provision(jsm, topology, { dryRun: true });
    expect(planned.dryRun).toBe(true);
    expect(new Set(Object.values(actions(planned)))).toEqual(new Set(['created']));
    await expect(jsm.streams.info(EVENTS)).rejects.toThrow(/stream not found/);

    await provision(jsm, topology);
    const before = await snapshot();
    const edited: Topology = {
      streams: topology.streams,
      consumers: [{ ...topology.consumers[0]!, maxAckPending: 7 }, { ...topology.consumers[1]!, filterSubject: `${prefix}.events.>` }],
    };
    const report = await provision(jsm, edited, { dryRun: true });
    expect(actions(report)).toMatchObject({
      [`${EVENTS}/alpha-${EVENTS.toLowerCase()}`]: 'updated',
      [`${EVENTS}/beta-${EVENTS.toLowerCase()}`]: 'refused',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('never deletes: a durable the topology does not declare is listed and left alone', async () => {
    const topology = baseTopology();
    await provision(jsm, topology);
    await jsm.consumers.add(EVENTS, { durable_name: 'renamed-leftover', ack_policy: AckPolicy.Explicit });
    const report = await provision(jsm, { streams: topology.streams, consumers: [topology.consumers[0]!] });
    expect(report.unmanagedConsumers).toEqual(expect.arrayContaining([`${EVENTS}/renamed-leftover`, `${EVENTS}/beta-${EVENTS.toLowerCase()}`]));
    expect(report.unmanagedConsumers).toHaveLength(2);
    await expect(jsm.consumers.info(EVENTS, 'renamed-leftover')).resolves.toBeDefined();
    await expect(jsm.consumers.info(EVENTS, `beta-${EVENTS.toLowerCase()}`)).resolves.toBeDefined();
  });
});
